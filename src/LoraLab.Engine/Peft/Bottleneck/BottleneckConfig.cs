using System.Text.Json.Nodes;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Peft.Bottleneck;

/// <summary>
/// A bottleneck adapter's configuration (Houlsby et al. 2019). PEFT has no such adapter, so the layout is LoRA Lab's own:
/// <c>adapter_config.json</c> with <c>peft_type: LORALAB_BOTTLENECK</c>, <c>bottleneck_size</c>, <c>non_linearity</c>
/// (relu, gelu, silu), <c>placement</c> (attention, mlp, both) and, for readers, the resulting <c>target_modules</c>.
/// </summary>
public sealed record BottleneckConfig
{
    public const string PeftType = "LORALAB_BOTTLENECK";
    public static readonly IReadOnlyList<string> NonLinearities = ["relu", "gelu", "silu"];
    public static readonly IReadOnlyList<string> Placements = ["attention", "mlp", "both"];

    public int BottleneckSize { get; init; } = 64;
    /// <summary>relu, gelu (the exact, erf form) or silu; silu is the "swish" of the adapters library's Houlsby configuration.</summary>
    public string NonLinearity { get; init; } = "silu";
    /// <summary>After the attention output (o_proj), after the MLP output (down_proj), or both as in Houlsby et al.</summary>
    public string Placement { get; init; } = "both";
    public string? BaseModelNameOrPath { get; init; }

    /// <summary>The projections whose outputs get an adapter.</summary>
    public IReadOnlyList<string> TargetModules => Placement switch
    {
        "attention" => ["o_proj"],
        "mlp" => ["down_proj"],
        _ => ["o_proj", "down_proj"],
    };

    /// <summary>Whether the linear layer at <paramref name="modulePath"/> gets an adapter: o_proj inside self_attn, down_proj inside mlp.</summary>
    public bool Targets(string modulePath) =>
        (Placement != "mlp" && modulePath.EndsWith(".self_attn.o_proj", StringComparison.Ordinal))
        || (Placement != "attention" && modulePath.EndsWith(".mlp.down_proj", StringComparison.Ordinal));

    /// <summary>Fails with the first of <see cref="Problems"/>.</summary>
    public void Validate()
    {
        foreach (var (_, message) in Problems()) throw new PeftConfigException(message);
    }

    /// <summary>Every rule this config breaks, each with the snake_case field it is about.</summary>
    public IEnumerable<(string Field, string Message)> Problems()
    {
        if (BottleneckSize <= 0) yield return ("bottleneck_size", $"bottleneck_size must be a positive integer, got {BottleneckSize}.");
        if (!NonLinearities.Contains(NonLinearity))
            yield return ("non_linearity", $"non_linearity must be one of {string.Join(", ", NonLinearities)}, got \"{NonLinearity}\".");
        if (!Placements.Contains(Placement))
            yield return ("placement", $"placement must be one of {string.Join(", ", Placements)}, got \"{Placement}\".");
    }

    public static BottleneckConfig FromJson(JsonObject json)
    {
        var config = new BottleneckConfig
        {
            BottleneckSize = json["bottleneck_size"]?.GetValue<int>() ?? throw new PeftConfigException("bottleneck_size is missing."),
            NonLinearity = json["non_linearity"]?.GetValue<string>() ?? throw new PeftConfigException("non_linearity is missing."),
            Placement = json["placement"]?.GetValue<string>() ?? throw new PeftConfigException("placement is missing."),
            BaseModelNameOrPath = json["base_model_name_or_path"]?.GetValue<string>(),
        };
        config.Validate();
        return config;
    }

    public JsonObject ToJson() => new()
    {
        ["peft_type"] = PeftType,
        ["task_type"] = "CAUSAL_LM",
        ["bottleneck_size"] = BottleneckSize,
        ["non_linearity"] = NonLinearity,
        ["placement"] = Placement,
        ["target_modules"] = new JsonArray(TargetModules.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
        ["base_model_name_or_path"] = BaseModelNameOrPath,
    };
}
