using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Files;

namespace LoraLab.Engine.Peft.Lora;

/// <summary>
/// A LoRA/DoRA adapter's configuration with PEFT's field names (<c>adapter_config.json</c>, <c>peft_type: LORA</c>),
/// validated once; pattern lookups follow PEFT's <c>get_pattern_key</c>.
/// </summary>
public sealed record LoraConfig
{
    public int R { get; init; } = 8;
    public double LoraAlpha { get; init; } = 8;
    public double LoraDropout { get; init; }
    /// <summary>Module names (matched as a dotted suffix), "all-linear", or one regular expression matched against the full name.</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = ["q_proj", "v_proj"];
    public string? TargetModulesRegex { get; init; }
    public bool UseRslora { get; init; }
    public bool UseDora { get; init; }
    /// <summary>
    /// "default" (Kaiming-uniform A, zero B), "gaussian", "pissa" (principal singular vectors, exact SVD) or
    /// "pissa_niter_K" (the same from a randomized SVD with K subspace iterations).
    /// </summary>
    public string InitLoraWeights { get; init; } = "default";
    public IReadOnlyDictionary<string, int> RankPattern { get; init; } = new Dictionary<string, int>();
    public IReadOnlyDictionary<string, double> AlphaPattern { get; init; } = new Dictionary<string, double>();
    public string? BaseModelNameOrPath { get; init; }

    public const string AllLinear = "all-linear";

    /// <summary>
    /// A PiSSA adapter is trained against the residual W − s·B₀A₀ of its initialisation; loading it recomputes that
    /// residual from the original weights, as PEFT does (<see cref="PissaInitialization"/>).
    /// </summary>
    public bool IsPissa => InitLoraWeights.StartsWith("pissa", StringComparison.Ordinal);

    /// <summary>Whether the linear layer at <paramref name="modulePath"/> (e.g. model.layers.0.self_attn.q_proj) gets an adapter.</summary>
    public bool Targets(string modulePath)
    {
        if (TargetModulesRegex is { } regex) return ModulePattern.IsMatch(modulePath, $"^(?:{regex})$", "target_modules", regex);
        if (TargetModules.Contains(AllLinear)) return modulePath != "lm_head";
        return TargetModules.Any(t => modulePath == t || modulePath.EndsWith("." + t, StringComparison.Ordinal));
    }

    public int RankFor(string modulePath) => PatternValue(RankPattern, modulePath, "rank_pattern") ?? R;
    public double AlphaFor(string modulePath) => PatternValue(AlphaPattern, modulePath, "alpha_pattern") ?? LoraAlpha;

    /// <summary>alpha / r, or alpha / √r with rsLoRA (Kalajdzievski 2023), which keeps updates stable as r grows.</summary>
    public double ScalingFor(string modulePath)
    {
        int r = RankFor(modulePath);
        double alpha = AlphaFor(modulePath);
        return UseRslora ? alpha / Math.Sqrt(r) : alpha / r;
    }

    static T? PatternValue<T>(IReadOnlyDictionary<string, T> patterns, string modulePath, string field) where T : struct
    {
        foreach (var (key, value) in patterns)
            if (ModulePattern.IsMatch(modulePath, $"^(?:.*\\.)?(?:{key})$", field, key)) return value;
        return null;
    }

    /// <summary>Fails with the first of <see cref="Problems"/>.</summary>
    public void Validate()
    {
        foreach (var (_, message) in Problems()) throw new PeftConfigException(message);
    }

    /// <summary>Every rule this config breaks, each with the snake_case field it is about.</summary>
    public IEnumerable<(string Field, string Message)> Problems()
    {
        if (R <= 0) yield return ("r", $"r must be a positive integer, got {R}.");
        if (LoraAlpha <= 0) yield return ("lora_alpha", $"lora_alpha must be positive, got {LoraAlpha}.");
        if (LoraDropout is < 0 or >= 1) yield return ("lora_dropout", $"lora_dropout must be in [0, 1), got {LoraDropout}.");
        if (TargetModulesRegex is null && TargetModules.Count == 0) yield return ("target_modules", "target_modules must name at least one module.");
        if (InitLoraWeights is not ("default" or "gaussian") && !PissaInitialization.IsValidMode(InitLoraWeights))
            yield return ("init_lora_weights", $"init_lora_weights must be true, \"gaussian\", \"pissa\" or \"pissa_niter_K\" (K > 0), got \"{InitLoraWeights}\".");
        foreach (var (key, r) in RankPattern)
            if (r <= 0) yield return ("rank_pattern", $"rank_pattern['{key}'] must be positive, got {r}.");
    }

    public static LoraConfig Load(string adapterDirectory)
    {
        string path = Path.Combine(adapterDirectory, "adapter_config.json");
        if (!File.Exists(path)) throw new PeftConfigException($"{path} does not exist: a PEFT adapter folder needs adapter_config.json.");
        JsonObject json;
        try { json = UntrustedFile.ParseJsonNode(path, problem => new PeftConfigException($"{path}: {problem}.")) as JsonObject ?? throw new PeftConfigException($"{path} must hold a JSON object."); }
        catch (JsonException e) { throw new PeftConfigException($"{path} is not valid JSON: {e.Message}"); }
        try { return FromJson(json); }
        catch (PeftConfigException e) { throw new PeftConfigException($"{path}: {e.Message}"); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new PeftConfigException($"{path}: a field has the wrong type ({e.Message}).");
        }
    }

    public static LoraConfig FromJson(JsonObject json)
    {
        string peftType = json["peft_type"]?.GetValue<string>() ?? "LORA";
        if (peftType != "LORA") throw new PeftConfigException($"peft_type '{peftType}' is not a LoRA adapter (expected LORA).");
        if (json["fan_in_fan_out"]?.GetValue<bool>() == true)
            throw new PeftConfigException("fan_in_fan_out = true (Conv1D-style weights) is not supported by Llama-family models.");
        if (json["bias"]?.GetValue<string>() is { } bias && bias != "none")
            throw new PeftConfigException($"bias = \"{bias}\" is not supported; only \"none\".");

        var targets = json["target_modules"];
        var config = new LoraConfig
        {
            R = json["r"]?.GetValue<int>() ?? 8,
            LoraAlpha = json["lora_alpha"]?.GetValue<double>() ?? 8,
            LoraDropout = json["lora_dropout"]?.GetValue<double>() ?? 0,
            TargetModules = targets switch
            {
                JsonArray list => list.Select(n => n?.GetValue<string>() ?? throw new PeftConfigException($"target_modules must list module names, got {list.ToJsonString()}.")).ToArray(),
                JsonValue v when v.GetValue<string>() == AllLinear => [AllLinear],
                _ => [],
            },
            TargetModulesRegex = targets is JsonValue s && s.GetValue<string>() != AllLinear ? s.GetValue<string>() : null,
            UseRslora = json["use_rslora"]?.GetValue<bool>() ?? false,
            UseDora = json["use_dora"]?.GetValue<bool>() ?? false,
            InitLoraWeights = json["init_lora_weights"] switch
            {
                null => "default",
                JsonValue v when v.GetValueKind() == JsonValueKind.True => "default",
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                var other => throw new PeftConfigException($"init_lora_weights = {other.ToJsonString()} is not supported."),
            },
            RankPattern = Patterns(json, "rank_pattern", node => node.GetValue<int>()),
            AlphaPattern = Patterns(json, "alpha_pattern", node => node.GetValue<double>()),
            BaseModelNameOrPath = json["base_model_name_or_path"]?.GetValue<string>(),
        };
        config.Validate();
        return config;
    }

    /// <summary>rank_pattern or alpha_pattern: module pattern to value; a value that is null is an error, not a crash.</summary>
    static Dictionary<string, T> Patterns<T>(JsonObject json, string field, Func<JsonNode, T> read) =>
        (json[field] as JsonObject)?.ToDictionary(kv => kv.Key, kv => kv.Value is { } value ? read(value)
            : throw new PeftConfigException($"{field}['{kv.Key}'] must be a number, got null.")) ?? [];

    /// <summary>adapter_config.json as PEFT writes it, so the adapter loads in PEFT, vLLM and friends.</summary>
    public JsonObject ToJson() => new()
    {
        ["peft_type"] = "LORA",
        ["task_type"] = "CAUSAL_LM",
        ["r"] = R,
        ["lora_alpha"] = LoraAlpha,
        ["lora_dropout"] = LoraDropout,
        ["target_modules"] = TargetModulesRegex is { } regex ? JsonValue.Create(regex)
            : TargetModules.SequenceEqual([AllLinear]) ? JsonValue.Create(AllLinear)
            : new JsonArray(TargetModules.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
        ["use_rslora"] = UseRslora,
        ["use_dora"] = UseDora,
        // A PiSSA adapter keeps "pissa" so that PEFT, like PeftLoraFiles.Load, rebuilds the residual base when loading it.
        ["init_lora_weights"] = InitLoraWeights == "default" ? JsonValue.Create(true) : JsonValue.Create(InitLoraWeights),
        ["rank_pattern"] = new JsonObject(RankPattern.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        ["alpha_pattern"] = new JsonObject(AlphaPattern.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        ["bias"] = "none",
        ["fan_in_fan_out"] = false,
        ["inference_mode"] = true,
        ["modules_to_save"] = null,
        ["base_model_name_or_path"] = BaseModelNameOrPath,
    };
}

public sealed class PeftConfigException(string message) : Exception(message);
