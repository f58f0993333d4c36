using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Quantization;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Peft.QLora;

/// <summary>
/// QLoRA (Dettmers et al. 2023): LoRA on a 4-bit quantised base. Its adapter is saved as a plain LoRA, as PEFT does,
/// so a saved QLoRA adapter reads back as <see cref="LoraMethodSpec"/>'s.
/// </summary>
public sealed class QLoraMethodSpec : LoraFamilyMethodSpec
{
    public static readonly IReadOnlyList<string> QuantTypes = ["nf4", "fp4"];

    public override string Name => "qlora";
    public override string Title => "QLoRA";
    public override string Description => "LoRA on a 4-bit quantized base: the least memory for the weights.";
    public override double LearningRate => 2e-4;
    public override IReadOnlyList<string> Settings { get; } = [.. LoraSettings, "quant_type", "double_quant"];
    public override bool Combines => true;

    public override bool Describes(JsonObject adapterConfig) => false;

    protected override IEnumerable<MethodFieldError> Problems(MethodOptions options, ModelConfig? model)
    {
        foreach (var problem in base.Problems(options, model)) yield return problem;
        if (!QuantTypes.Contains(options.QuantType))
            yield return new MethodFieldError("quant_type", $"quant_type must be nf4 or fp4, got '{options.QuantType}'.");
    }

    /// <summary>
    /// The blocks' linear weights hold 4-bit codes, with double quantization 8-bit scales per 64 weights and a 32-bit
    /// scale per 256 of those; embeddings, norms and lm_head stay in the compute dtype.
    /// </summary>
    public override double BaseWeightBits(ModelConfig model, double computeBits)
    {
        const double quantizedBits = 4 + 8.0 / 64 + 32.0 / (64 * 256);
        long quantized = ParameterLayout.Linears(model).Where(l => l.Path != "lm_head").Sum(l => l.InFeatures * l.OutFeatures);
        long total = model.ParameterCount();
        return (quantized * quantizedBits + (total - quantized) * computeBits) / total;
    }

    protected override IPeftMethod Build(MethodOptions options, ModelConfig model, ITextTokenizer? tokenizer, long seed, string? baseModelName) =>
        new QLoraMethod(ConfigOf(options, baseModelName), new QuantizationOptions
        {
            Type = options.QuantType == "fp4" ? FourBitType.Fp4 : FourBitType.Nf4,
            DoubleQuant = options.DoubleQuant,
        }, seed);
}
