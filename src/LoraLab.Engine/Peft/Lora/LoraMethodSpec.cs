using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Peft.Lora;

/// <summary>
/// LoRA (Hu et al. 2021) with its variants as settings: rsLoRA's α/√r scaling (use_rslora) and PiSSA's initialisation
/// from the principal singular vectors (init_lora_weights "pissa").
/// </summary>
public sealed class LoraMethodSpec : LoraFamilyMethodSpec
{
    public override string Name => "lora";
    public override string Title => "LoRA";
    public override string Description => "Low-rank updates A·B beside chosen linear layers; the base stays frozen.";
    public override double LearningRate => 2e-4;
    public override bool Combines => true;

    public override bool Describes(JsonObject adapterConfig) => base.Describes(adapterConfig) && !IsTrue(adapterConfig, "use_dora");

    protected override IPeftMethod Build(MethodOptions options, ModelConfig model, ITextTokenizer? tokenizer, long seed, string? baseModelName) =>
        new LoraMethod(ConfigOf(options, baseModelName), seed);
}
