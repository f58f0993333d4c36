namespace LoraLab.Web.Training;

/// <summary>The fine-tuning methods a run can use: the engine's IPeftMethod kinds.</summary>
public static class RunMethods
{
    public static readonly IReadOnlyList<string> All = ["lora", "dora", "qlora", "prompt", "prefix", "ia3", "adapter", "selective", "full"];
}
