using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using LoraLab.Engine.Models;

namespace LoraLab.Engine.Peft.PrefixTuning;

/// <summary>
/// Prefix tuning (Li and Liang 2021) with PEFT's field names (<c>peft_type: PREFIX_TUNING</c>): num_virtual_tokens
/// trained keys and values in front of every layer's attention.
/// For grouped-query models PEFT (its <c>_prepare_prompt_learning_config</c>, #1901) stores token_dim as the key/value
/// width nKV·hD and num_attention_heads as nKV, because the prefix is what the KV cache holds; resolving does the same.
/// </summary>
public sealed record PrefixTuningConfig : PromptLearningConfig
{
    /// <summary>Width of the reparameterisation MLP's hidden layer; PEFT defaults it to token_dim.</summary>
    public int? EncoderHiddenSize { get; init; }
    /// <summary>
    /// Train the prefix through embedding (P, token_dim) → Linear → tanh → Linear (the paper's reparameterisation).
    /// Only the projected table is saved, so a loaded adapter is a plain prefix whatever this says.
    /// </summary>
    public bool PrefixProjection { get; init; }

    public override string PeftType => "PREFIX_TUNING";

    public PrefixTuningConfig() { }

    [SetsRequiredMembers]
    PrefixTuningConfig(Fields f) : base(f, "PREFIX_TUNING")
    {
        EncoderHiddenSize = f.OptionalInt("encoder_hidden_size");
        PrefixProjection = f.Bool("prefix_projection", false);
    }

    public override IEnumerable<(string Field, string Message)> Problems()
    {
        foreach (var problem in base.Problems()) yield return problem;
        if (EncoderHiddenSize is <= 0) yield return ("encoder_hidden_size", $"encoder_hidden_size must be positive, got {EncoderHiddenSize}.");
    }

    /// <summary>Width of one virtual token's row in the prefix table (keys and values of every layer), once resolved.</summary>
    public int TableWidth => NumLayers!.Value * 2 * TokenDim!.Value;

    /// <summary>This config with the model-shaped fields filled in from <paramref name="model"/>, or an error naming the field that does not fit.</summary>
    public PrefixTuningConfig ResolvedFor(ModelConfig model)
    {
        int kvWidth = model.NumKeyValueHeads * model.HeadDim;
        int tokenDim = Fit(TokenDim, kvWidth, "token_dim", "key/value width num_key_value_heads × head_dim");
        return this with
        {
            TokenDim = tokenDim,
            NumAttentionHeads = Fit(NumAttentionHeads, model.NumKeyValueHeads, "num_attention_heads", "num_key_value_heads"),
            NumLayers = Fit(NumLayers, model.NumHiddenLayers, "num_layers", "num_hidden_layers"),
            EncoderHiddenSize = EncoderHiddenSize ?? tokenDim,
        };
    }

    public JsonObject ToJson()
    {
        var json = CommonJson();
        json["encoder_hidden_size"] = EncoderHiddenSize;
        json["prefix_projection"] = PrefixProjection;
        return Sorted(json);
    }

    public static PrefixTuningConfig FromJson(JsonObject json) => new(new Fields(json));
}
