using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Peft.Dora;

/// <summary>DoRA (Liu et al. 2024): LoRA's direction update with a learned magnitude per output (<see cref="DoraVariant"/>).</summary>
public sealed class DoraMethodSpec : LoraFamilyMethodSpec
{
    public override string Name => "dora";
    public override string Title => "DoRA";
    public override string Description => "LoRA with a learned magnitude per output: closer to full fine-tuning at a small extra cost.";
    public override double LearningRate => 2e-4;
    public override bool KeepsAdaptedOutputs => true;
    protected override bool UsesDora => true;

    public override bool Describes(JsonObject adapterConfig) => base.Describes(adapterConfig) && IsTrue(adapterConfig, "use_dora");

    protected override IPeftMethod Build(MethodOptions options, ModelConfig model, ITextTokenizer? tokenizer, long seed, string? baseModelName) =>
        new LoraMethod(ConfigOf(options, baseModelName), seed);
}
