using System.Text.Json.Nodes;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Methods;

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

/// <summary>
/// The one answer to where an adapter folder runs beside a shared base, from its adapter_config.json alone: what
/// <see cref="SharedBaseModel.Load"/> does with it and what the playground tells people before they pick it.
/// </summary>
public static class AdapterPlacements
{
    /// <summary>The placement of the adapter in <paramref name="adapterDirectory"/>; its config must be readable.</summary>
    /// <exception cref="PeftConfigException">adapter_config.json is missing or not a JSON object.</exception>
    public static AdapterPlacement Of(string adapterDirectory) => Of(AdapterFolder.ReadConfigJson(adapterDirectory));

    /// <summary>
    /// The placement of an adapter with this adapter_config.json, as its method says (a PiSSA-initialised LoRA gets a
    /// copy of the base: see <see cref="LoraFamilyMethodSpec.PlacementOf"/>); an adapter of no known method shares nothing.
    /// </summary>
    public static AdapterPlacement Of(JsonObject adapterConfig) =>
        MethodRegistry.OfAdapter(adapterConfig)?.PlacementOf(adapterConfig) ?? AdapterPlacement.OwnCopy;

    /// <summary>Whether an adapter placed so shares the base's batch with the base-only rows.</summary>
    public static bool SharesBatch(this AdapterPlacement placement) => placement == AdapterPlacement.Routed;
}
