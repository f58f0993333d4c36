using System.Text.Json;
using System.Text.Json.Nodes;

namespace LoraLab.Engine.Generation;

/// <summary>
/// The sampling defaults of a model's generation_config.json, read once. Unknown fields are ignored, a field of the wrong
/// type is an error naming the field and the file. Merged as transformers does: a user's value, else the model's, else ours.
/// </summary>
public sealed record GenerationDefaults
{
    /// <summary>transformers' GenerationConfig default of top_k, which applies when sampling and the file sets none.</summary>
    public const int TransformersTopK = 50;

    public bool? DoSample { get; init; }
    public double? Temperature { get; init; }
    public int? TopK { get; init; }
    public double? TopP { get; init; }
    public double? RepetitionPenalty { get; init; }
    public int? MaxNewTokens { get; init; }
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    public static GenerationDefaults None { get; } = new();

    /// <summary>The defaults of <paramref name="modelDirectory"/>/generation_config.json, or <see cref="None"/> without one.</summary>
    public static GenerationDefaults Load(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, "generation_config.json");
        if (!File.Exists(path)) return None;
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path} is not valid JSON: {e.Message}"); }
        return Parse(root as JsonObject ?? throw new InvalidDataException($"{path} must hold a JSON object."), path);
    }

    public static GenerationDefaults Parse(JsonObject json, string source = "generation_config.json") => new()
    {
        DoSample = Read<bool>(json, "do_sample", source),
        Temperature = Read<double>(json, "temperature", source),
        TopK = Read<int>(json, "top_k", source),
        TopP = Read<double>(json, "top_p", source),
        RepetitionPenalty = Read<double>(json, "repetition_penalty", source),
        MaxNewTokens = Read<int>(json, "max_new_tokens", source),
        EosTokenIds = json["eos_token_id"] switch
        {
            null => [],
            JsonArray list => list.Select(n => n is JsonValue v && v.TryGetValue(out int id) ? id : throw Wrong("eos_token_id", list, source)).ToArray(),
            var one => [Read<int>(json, "eos_token_id", source)!.Value],
        },
    };

    /// <summary>
    /// The options to generate with: each field the user set (non-null in <paramref name="user"/>) wins, then this file's,
    /// then <paramref name="engine"/>'s. do_sample false means greedy; true with no temperature keeps the engine's.
    /// </summary>
    public SamplingOptions Resolve(SamplingOverrides user, SamplingOptions engine)
    {
        bool sample = DoSample ?? !engine.IsGreedy;
        double temperature = user.Temperature ?? (sample ? Temperature ?? (engine.IsGreedy ? 1.0 : engine.Temperature) : 0);
        var options = engine with
        {
            Temperature = temperature,
            TopK = user.TopK ?? TopK ?? (DoSample == true ? TransformersTopK : engine.TopK),
            TopP = user.TopP ?? TopP ?? engine.TopP,
            RepetitionPenalty = user.RepetitionPenalty ?? RepetitionPenalty ?? engine.RepetitionPenalty,
            MaxNewTokens = user.MaxNewTokens ?? MaxNewTokens ?? engine.MaxNewTokens,
        };
        options.Validate();
        return options;
    }

    static T? Read<T>(JsonObject json, string field, string source) where T : struct
    {
        var node = json[field];
        if (node is null) return null;
        return node is JsonValue v && v.TryGetValue(out T value) && (typeof(T) != typeof(double) || node.GetValueKind() == JsonValueKind.Number)
            ? value : throw Wrong(field, node, source);
    }

    static InvalidDataException Wrong(string field, JsonNode node, string source) =>
        new($"{source}: field '{field}' has the wrong type, got {node.ToJsonString()}.");
}

/// <summary>The sampling values a user set explicitly (CLI flags, playground fields); null means "the model's default".</summary>
public sealed record SamplingOverrides(
    double? Temperature = null, int? TopK = null, double? TopP = null, double? RepetitionPenalty = null, int? MaxNewTokens = null);
