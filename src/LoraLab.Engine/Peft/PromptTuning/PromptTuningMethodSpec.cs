using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Playground;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Peft.PromptTuning;

/// <summary>Prompt tuning (Lester et al. 2021): learned virtual-token embeddings in front of every input.</summary>
public sealed class PromptTuningMethodSpec : MethodSpec
{
    public override string Name => "prompt";
    public override string Title => "Prompt tuning";
    public override string Description => "Learned virtual tokens in front of every input; tiny, needs a high learning rate.";
    public override double LearningRate => 3e-2;
    public override string PeftType => "PROMPT_TUNING";
    public override IReadOnlyList<string> Settings { get; } = ["num_virtual_tokens", "prompt_init_text"];
    public override AdapterPlacement Placement => AdapterPlacement.SoftPrompt;

    /// <summary>The config these settings describe, without the token ids of the initialisation text.</summary>
    public static PromptTuningConfig ConfigOf(MethodOptions options, string? baseModelName = null) => new()
    {
        NumVirtualTokens = options.NumVirtualTokens,
        PromptTuningInit = options.PromptInitText is null ? PromptTuningConfig.Random : PromptTuningConfig.Text,
        PromptTuningInitText = options.PromptInitText,
        TokenizerNameOrPath = options.PromptInitText is null ? null : baseModelName ?? "base",
        BaseModelNameOrPath = baseModelName,
    };

    protected override IEnumerable<MethodFieldError> Problems(MethodOptions options, ModelConfig? model)
    {
        if (options.PromptInitText is "")
            yield return new MethodFieldError("prompt_init_text", "prompt_init_text must hold some text, or be left out for a random start.");
        else
            foreach (var problem in Fields(ConfigOf(options).Problems())) yield return problem;
    }

    protected override long Count(ModelConfig model, MethodOptions options) => (long)options.NumVirtualTokens * model.HiddenSize;

    protected override IPeftMethod Build(MethodOptions options, ModelConfig model, ITextTokenizer? tokenizer, long seed, string? baseModelName) =>
        new PromptTuningMethod(ConfigOf(options, baseModelName), options.PromptInitText is null ? null
            : (tokenizer ?? throw new ArgumentException("prompt_init_text needs the model's tokenizer.")).Encode(options.PromptInitText), seed);

    public override IPeftMethod? Load(CausalLM lm, string adapterDirectory) => SoftPromptFiles.Load(lm, adapterDirectory);
}
