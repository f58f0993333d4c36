using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Peft.Ia3;

/// <summary>
/// An (IA)³ adapter's configuration with PEFT's field names (<c>adapter_config.json</c>, <c>peft_type: IA3</c>). Module
/// lists match as PEFT matches them: <c>target_modules</c> as a dotted suffix, <c>feedforward_modules</c> as a plain suffix,
/// and a single string as a regular expression over the full module name.
/// </summary>
public sealed record Ia3Config
{
    public const string PeftType = "IA3";

    /// <summary>Module names, "all-linear", or (with <see cref="TargetModulesRegex"/>) nothing.</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = ["k_proj", "v_proj", "down_proj"];
    public string? TargetModulesRegex { get; init; }
    /// <summary>Targets whose vector scales the layer's input (size in) instead of its output (size out), as the paper does for the FFN.</summary>
    public IReadOnlyList<string> FeedforwardModules { get; init; } = ["down_proj"];
    public string? FeedforwardModulesRegex { get; init; }
    public string? BaseModelNameOrPath { get; init; }

    /// <summary>PEFT's defaults for the family (TRANSFORMERS_MODELS_TO_IA3_TARGET_MODULES_MAPPING and its FEEDFORWARD twin).</summary>
    public static Ia3Config For(ModelFamily family) => family switch
    {
        ModelFamily.Qwen2 or ModelFamily.Qwen3 => new Ia3Config { TargetModules = ["q_proj", "v_proj", "down_proj"] },
        _ => new Ia3Config(),
    };

    public bool Targets(string modulePath)
    {
        if (TargetModulesRegex is { } regex) return ModulePattern.IsMatch(modulePath, $"^(?:{regex})$", "target_modules", regex);
        if (TargetModules.Contains(LoraConfig.AllLinear)) return modulePath != "lm_head";
        return TargetModules.Any(t => modulePath == t || modulePath.EndsWith("." + t, StringComparison.Ordinal));
    }

    public bool IsFeedforward(string modulePath) => FeedforwardModulesRegex is { } regex
        ? ModulePattern.IsMatch(modulePath, $"^(?:{regex})$", "feedforward_modules", regex)
        : FeedforwardModules.Any(f => modulePath.EndsWith(f, StringComparison.Ordinal));

    public void Validate()
    {
        if (TargetModulesRegex is null && TargetModules.Count == 0) throw new PeftConfigException("target_modules must name at least one module.");
        foreach (var (field, regex) in new[] { ("target_modules", TargetModulesRegex), ("feedforward_modules", FeedforwardModulesRegex) })
        {
            if (regex is null) continue;
            try { _ = new Regex(regex); }
            catch (ArgumentException e) { throw new PeftConfigException($"{field} '{regex}' is not a valid regular expression: {e.Message}"); }
        }
        if (TargetModulesRegex is null && FeedforwardModulesRegex is null && !TargetModules.Contains(LoraConfig.AllLinear)
            && FeedforwardModules.FirstOrDefault(f => !TargetModules.Contains(f)) is { } stray)
            throw new PeftConfigException($"feedforward_modules must be a subset of target_modules, but '{stray}' is not a target.");
    }

    public static Ia3Config FromJson(JsonObject json)
    {
        if (json["fan_in_fan_out"]?.GetValue<bool>() == true)
            throw new PeftConfigException("fan_in_fan_out = true (Conv1D-style weights) is not supported by Llama-family models.");
        foreach (string field in new[] { "exclude_modules", "modules_to_save" })
            if (json[field] is JsonArray { Count: > 0 } or JsonValue)
                throw new PeftConfigException($"{field} = {json[field]!.ToJsonString()} is not supported.");

        var (targets, targetsRegex) = Names(json, "target_modules");
        var (feedforward, feedforwardRegex) = Names(json, "feedforward_modules");
        bool allLinear = targetsRegex == LoraConfig.AllLinear;
        var config = new Ia3Config
        {
            TargetModules = allLinear ? [LoraConfig.AllLinear] : targets,
            TargetModulesRegex = allLinear ? null : targetsRegex,
            FeedforwardModules = feedforward,
            FeedforwardModulesRegex = feedforwardRegex,
            BaseModelNameOrPath = json["base_model_name_or_path"]?.GetValue<string>(),
        };
        config.Validate();
        return config;
    }

    /// <summary>adapter_config.json as PEFT writes it, so the adapter loads in PEFT.</summary>
    public JsonObject ToJson() => new()
    {
        ["peft_type"] = PeftType,
        ["task_type"] = "CAUSAL_LM",
        // PEFT recognises "all-linear" only as a bare string, never inside a list.
        ["target_modules"] = TargetModules.SequenceEqual([LoraConfig.AllLinear]) ? LoraConfig.AllLinear : Names(TargetModules, TargetModulesRegex),
        ["feedforward_modules"] = Names(FeedforwardModules, FeedforwardModulesRegex),
        ["exclude_modules"] = null,
        ["fan_in_fan_out"] = false,
        ["init_ia3_weights"] = true,
        ["inference_mode"] = true,
        ["modules_to_save"] = null,
        ["base_model_name_or_path"] = BaseModelNameOrPath,
    };

    /// <summary>A PEFT module-list field: a list of names, or one string (a regular expression, or "all-linear").</summary>
    static (IReadOnlyList<string> Names, string? Regex) Names(JsonObject json, string field) => json[field] switch
    {
        null => throw new PeftConfigException($"{field} is missing."),
        JsonArray list => (list.Select(n => n!.GetValue<string>()).ToArray(), null),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => ([], v.GetValue<string>()),
        var other => throw new PeftConfigException($"{field} must be a list of names or a string, got {other.ToJsonString()}."),
    };

    static JsonNode Names(IReadOnlyList<string> names, string? regex) =>
        regex is not null ? JsonValue.Create(regex) : new JsonArray(names.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray());
}
