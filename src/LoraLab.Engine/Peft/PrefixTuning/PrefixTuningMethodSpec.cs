using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Playground;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Peft.PrefixTuning;

/// <summary>Prefix tuning (Li and Liang 2021): learned keys and values in front of every layer's attention.</summary>
public sealed class PrefixTuningMethodSpec : MethodSpec
{
    public override string Name => "prefix";
    public override string Title => "Prefix tuning";
    public override string Description => "Learned keys and values in front of every layer's attention.";
    public override double LearningRate => 1e-2;
    public override string PeftType => "PREFIX_TUNING";
    public override IReadOnlyList<string> Settings { get; } = ["num_virtual_tokens", "prefix_projection", "encoder_hidden_size"];
    public override AdapterPlacement Placement => AdapterPlacement.SoftPrompt;

    public static PrefixTuningConfig ConfigOf(MethodOptions options, string? baseModelName = null) => new()
    {
        NumVirtualTokens = options.NumVirtualTokens,
        PrefixProjection = options.PrefixProjection,
        EncoderHiddenSize = options.EncoderHiddenSize,
        BaseModelNameOrPath = baseModelName,
    };

    protected override IEnumerable<MethodFieldError> Problems(MethodOptions options, ModelConfig? model) => Fields(ConfigOf(options).Problems());

    protected override long Count(ModelConfig model, MethodOptions options)
    {
        var config = ConfigOf(options).ResolvedFor(model);
        long tokens = config.NumVirtualTokens, width = config.TableWidth;
        if (!config.PrefixProjection) return tokens * width;
        long tokenDim = config.TokenDim!.Value, hidden = config.EncoderHiddenSize!.Value;
        // The embedding (P, token_dim), then Linear(token_dim → hidden) and Linear(hidden → width), both with biases.
        return tokens * tokenDim + (tokenDim * hidden + hidden) + (hidden * width + width);
    }

    protected override IPeftMethod Build(MethodOptions options, ModelConfig model, ITextTokenizer? tokenizer, long seed, string? baseModelName) =>
        new PrefixTuningMethod(ConfigOf(options, baseModelName), seed);

    public override IPeftMethod? Load(CausalLM lm, string adapterDirectory) => SoftPromptFiles.Load(lm, adapterDirectory);
}
