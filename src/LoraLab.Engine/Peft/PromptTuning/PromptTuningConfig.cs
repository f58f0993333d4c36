using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using LoraLab.Engine.Models;

namespace LoraLab.Engine.Peft.PromptTuning;

/// <summary>
/// Prompt tuning (Lester et al. 2021) with PEFT's field names (<c>peft_type: PROMPT_TUNING</c>): num_virtual_tokens
/// trainable embeddings of width token_dim (the model's hidden size) prepended to every input.
/// </summary>
public sealed record PromptTuningConfig : PromptLearningConfig
{
    public const string Random = "RANDOM";
    public const string Text = "TEXT";

    /// <summary>RANDOM (standard normal, torch.nn.Embedding's default) or TEXT (the embeddings of <see cref="PromptTuningInitText"/>).</summary>
    public string PromptTuningInit { get; init; } = Random;
    public string? PromptTuningInitText { get; init; }
    /// <summary>PEFT needs it for TEXT to re-tokenise the init text, and refuses a TEXT config without it.</summary>
    public string? TokenizerNameOrPath { get; init; }

    public override string PeftType => "PROMPT_TUNING";

    public PromptTuningConfig() { }

    [SetsRequiredMembers]
    PromptTuningConfig(Fields f) : base(f, "PROMPT_TUNING")
    {
        PromptTuningInit = f.OptionalString("prompt_tuning_init") ?? Random;
        PromptTuningInitText = f.OptionalString("prompt_tuning_init_text");
        TokenizerNameOrPath = f.OptionalString("tokenizer_name_or_path");
    }

    public override IEnumerable<(string Field, string Message)> Problems()
    {
        foreach (var problem in base.Problems()) yield return problem;
        if (PromptTuningInit is not (Random or Text))
            yield return ("prompt_tuning_init", $"prompt_tuning_init must be {Random} or {Text}, got '{PromptTuningInit}'.");
        if (PromptTuningInit == Text && string.IsNullOrEmpty(PromptTuningInitText))
            yield return ("prompt_tuning_init_text", $"prompt_tuning_init = {Text} needs prompt_tuning_init_text.");
        if (PromptTuningInit == Text && string.IsNullOrEmpty(TokenizerNameOrPath))
            yield return ("tokenizer_name_or_path", $"prompt_tuning_init = {Text} needs tokenizer_name_or_path (PEFT refuses the config without it).");
    }

    /// <summary>This config with the model-shaped fields filled in from <paramref name="model"/>, or an error naming the field that does not fit.</summary>
    public PromptTuningConfig ResolvedFor(ModelConfig model) => this with
    {
        TokenDim = Fit(TokenDim, model.HiddenSize, "token_dim", "hidden_size"),
        NumAttentionHeads = Fit(NumAttentionHeads, model.NumAttentionHeads, "num_attention_heads", "num_attention_heads"),
        NumLayers = Fit(NumLayers, model.NumHiddenLayers, "num_layers", "num_hidden_layers"),
    };

    public JsonObject ToJson()
    {
        var json = CommonJson();
        json["prompt_tuning_init"] = PromptTuningInit;
        json["prompt_tuning_init_text"] = PromptTuningInitText;
        json["tokenizer_name_or_path"] = TokenizerNameOrPath;
        return Sorted(json);
    }

    public static PromptTuningConfig FromJson(JsonObject json) => new(new Fields(json));
}
