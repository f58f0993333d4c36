namespace LoraLab.Engine.Playground;

/// <summary>How an adapter loaded on a <see cref="SharedBaseModel"/> takes part in a side-by-side generation.</summary>
public enum AdapterPlacement
{
    /// <summary>LoRA or DoRA on the shared base: its rows join the one routed batch of the base-only rows.</summary>
    Routed,
    /// <summary>Prompt or prefix tuning on the shared base: its virtual tokens need a batch of their own.</summary>
    SoftPrompt,
    /// <summary>
    /// (IA)³, bottleneck adapters, selective fine-tuning and PiSSA change the base's layers or weights for every row,
    /// so they run on a copy of the base of their own, in a batch of their own.
    /// </summary>
    OwnCopy,
}
