using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Peft;

/// <summary>
/// The fields PEFT's <c>PromptLearningConfig</c> gives prompt tuning and prefix tuning alike. The model-shaped ones
/// (token_dim, num_attention_heads, num_layers) may be left null: as PEFT's <c>_prepare_prompt_learning_config</c>,
/// resolving against the base model fills them in, and refuses values that do not fit it.
/// </summary>
public abstract record PromptLearningConfig
{
    public const string CausalLm = "CAUSAL_LM";

    protected PromptLearningConfig() { }

    /// <summary>Reads the shared fields of an adapter_config.json whose peft_type is <paramref name="peftType"/>.</summary>
    [SetsRequiredMembers]
    private protected PromptLearningConfig(Fields f, string peftType)
    {
        f.RequirePeftType(peftType);
        NumVirtualTokens = f.Int("num_virtual_tokens");
        TokenDim = f.OptionalInt("token_dim");
        NumTransformerSubmodules = f.OptionalInt("num_transformer_submodules") ?? 1;
        NumAttentionHeads = f.OptionalInt("num_attention_heads");
        NumLayers = f.OptionalInt("num_layers");
        BaseModelNameOrPath = f.OptionalString("base_model_name_or_path");
        Revision = f.OptionalString("revision");
    }

    public required int NumVirtualTokens { get; init; }
    public int? TokenDim { get; init; }
    /// <summary>1 for decoder-only models; PEFT uses 2 for encoder-decoder models, which this engine does not run.</summary>
    public int NumTransformerSubmodules { get; init; } = 1;
    public int? NumAttentionHeads { get; init; }
    public int? NumLayers { get; init; }
    public string? BaseModelNameOrPath { get; init; }
    public string? Revision { get; init; }

    /// <summary>PROMPT_TUNING or PREFIX_TUNING.</summary>
    public abstract string PeftType { get; }

    /// <summary>Checks what training needs (the initialisation settings included): fails with the first of <see cref="Problems"/>.</summary>
    public void Validate()
    {
        foreach (var (_, message) in Problems()) throw new PeftConfigException(message);
    }

    /// <summary>Every rule of training this config breaks, each with the snake_case field it is about.</summary>
    public virtual IEnumerable<(string Field, string Message)> Problems() => ShapeProblems();

    /// <summary>Checks what loading a trained adapter needs: its initialisation settings no longer matter.</summary>
    internal void ValidateShape()
    {
        foreach (var (_, message) in ShapeProblems()) throw new PeftConfigException(message);
    }

    IEnumerable<(string Field, string Message)> ShapeProblems()
    {
        if (NumVirtualTokens <= 0) yield return ("num_virtual_tokens", $"num_virtual_tokens must be a positive integer, got {NumVirtualTokens}.");
        if (NumTransformerSubmodules != 1)
            yield return ("num_transformer_submodules", $"num_transformer_submodules must be 1 for a causal LM, got {NumTransformerSubmodules} (2 is for encoder-decoder models).");
    }

    /// <summary>A model-shaped field: the model's value when unset, otherwise it must equal the model's value.</summary>
    protected static int Fit(int? value, int modelValue, string field, string meaning)
    {
        if (value is { } v && v != modelValue)
            throw new AdapterMismatchException($"{field} = {v} does not fit this base model, whose {meaning} is {modelValue}.");
        return modelValue;
    }

    /// <summary>The adapter_config.json fields every prompt-learning method has, as PEFT's <c>save_pretrained</c> writes them.</summary>
    protected JsonObject CommonJson() => new()
    {
        ["auto_mapping"] = null,
        ["base_model_name_or_path"] = BaseModelNameOrPath,
        // PEFT saves every adapter with inference_mode = true, whatever mode it was trained in.
        ["inference_mode"] = true,
        ["num_attention_heads"] = NumAttentionHeads,
        ["num_layers"] = NumLayers,
        ["num_transformer_submodules"] = NumTransformerSubmodules,
        ["num_virtual_tokens"] = NumVirtualTokens,
        ["peft_type"] = PeftType,
        ["revision"] = Revision,
        ["task_type"] = CausalLm,
        ["token_dim"] = TokenDim,
    };

    /// <summary>PEFT writes its configs with sorted keys; so do we, so that files diff cleanly against PEFT's.</summary>
    protected static JsonObject Sorted(JsonObject json) =>
        new(json.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())));

    /// <summary>Typed reads of adapter_config.json fields; every error names the field and what was found.</summary>
    internal sealed class Fields(JsonObject json)
    {
        public void RequirePeftType(string expected)
        {
            string? found = OptionalString("peft_type");
            if (found != expected) throw new PeftConfigException($"peft_type is '{found}', expected {expected}.");
            string? task = OptionalString("task_type");
            if (task is not null && task != CausalLm) throw new PeftConfigException($"task_type '{task}' is not supported; only {CausalLm}.");
        }

        public int Int(string field) => OptionalInt(field) ?? throw new PeftConfigException($"required field '{field}' is missing.");

        public int? OptionalInt(string field) => json[field] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int i) => i,
            var other => throw new PeftConfigException($"field '{field}' must be an integer, got {other.ToJsonString()}."),
        };

        public string? OptionalString(string field) => json[field] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            var other => throw new PeftConfigException($"field '{field}' must be a string, got {other.ToJsonString()}."),
        };

        public bool Bool(string field, bool fallback) => json[field] switch
        {
            null => fallback,
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
            var other => throw new PeftConfigException($"field '{field}' must be true or false, got {other.ToJsonString()}."),
        };
    }
}

