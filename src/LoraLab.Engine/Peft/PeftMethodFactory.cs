using LoraLab.Engine.Models;
using LoraLab.Engine.Quantization;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Peft;

/// <summary>Turns a user's <see cref="MethodOptions"/> into the method that trains it; each method validates its own config.</summary>
public static class PeftMethodFactory
{
    /// <param name="tokenizer">Needed only to initialise prompt tuning from a text.</param>
    public static IPeftMethod Create(MethodOptions o, ModelConfig model, ITextTokenizer? tokenizer, long seed, string? baseModelName = null)
    {
        o.Validate();
        return o.Method switch
        {
            "lora" or "dora" => new LoraMethod(Lora(o, baseModelName), seed),
            "qlora" => new QLoraMethod(Lora(o, baseModelName), new QuantizationOptions
            {
                Type = o.QuantType == "fp4" ? FourBitType.Fp4 : FourBitType.Nf4,
                DoubleQuant = o.DoubleQuant,
            }, seed),
            "prompt" => new PromptTuningMethod(new PromptTuningConfig
            {
                NumVirtualTokens = o.NumVirtualTokens,
                PromptTuningInit = o.PromptInitText is null ? PromptTuningConfig.Random : PromptTuningConfig.Text,
                PromptTuningInitText = o.PromptInitText,
                TokenizerNameOrPath = o.PromptInitText is null ? null : baseModelName ?? "base",
                BaseModelNameOrPath = baseModelName,
            }, o.PromptInitText is null ? null
                : (tokenizer ?? throw new ArgumentException("prompt_init_text needs the model's tokenizer.")).Encode(o.PromptInitText), seed),
            "prefix" => new PrefixTuningMethod(new PrefixTuningConfig
            {
                NumVirtualTokens = o.NumVirtualTokens,
                PrefixProjection = o.PrefixProjection,
                EncoderHiddenSize = o.EncoderHiddenSize,
                BaseModelNameOrPath = baseModelName,
            }, seed),
            "ia3" => new Ia3Method(Ia3Config.For(model.Family) with { BaseModelNameOrPath = baseModelName }),
            "adapter" => new BottleneckMethod(new BottleneckConfig
            {
                BottleneckSize = o.BottleneckSize,
                NonLinearity = o.NonLinearity,
                Placement = o.Placement,
                BaseModelNameOrPath = baseModelName,
            }, seed),
            "full" => new SelectiveFineTuning(SelectiveFineTuningSpec.Everything),
            _ => new SelectiveFineTuning(new SelectiveFineTuningSpec
            {
                LastBlocks = o.LastBlocks, Biases = o.Biases, Norms = o.Norms, Embeddings = o.Embeddings, LmHead = o.LmHead, Patterns = o.Patterns,
            }),
        };
    }

    static LoraConfig Lora(MethodOptions o, string? baseModelName) => new()
    {
        R = o.R,
        LoraAlpha = o.LoraAlpha,
        LoraDropout = o.LoraDropout,
        TargetModules = o.TargetModules,
        UseRslora = o.UseRslora,
        UseDora = o.Method == "dora",
        InitLoraWeights = o.InitLoraWeights,
        BaseModelNameOrPath = baseModelName,
    };
}
