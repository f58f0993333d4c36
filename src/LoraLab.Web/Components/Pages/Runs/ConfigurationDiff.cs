using System.Text.Json.Nodes;

namespace LoraLab.Web.Components.Pages.Runs;

/// <summary>One configuration key and its value in each compared run; null where a run does not set it.</summary>
public sealed record ConfigurationRow(string Key, IReadOnlyList<string?> Values)
{
    public bool Differs => Values.Distinct().Count() > 1;
}

/// <summary>Compares run configurations key by key, nested objects flattened to dotted keys (method.r, training.learning_rate).</summary>
public static class ConfigurationDiff
{
    /// <summary>Every key any of the configurations sets, in order, with each configuration's value.</summary>
    public static IReadOnlyList<ConfigurationRow> Compare(IReadOnlyList<JsonObject> configurations)
    {
        var flat = configurations.Select(Flatten).ToList();
        return flat.SelectMany(f => f.Keys).Distinct().Order(StringComparer.Ordinal)
            .Select(key => new ConfigurationRow(key, flat.Select(f => f.GetValueOrDefault(key)).ToList()))
            .ToList();
    }

    /// <summary>Only the keys whose values are not all the same.</summary>
    public static IReadOnlyList<ConfigurationRow> Differences(IReadOnlyList<JsonObject> configurations) =>
        Compare(configurations).Where(r => r.Differs).ToList();

    public static Dictionary<string, string?> Flatten(JsonObject configuration)
    {
        var flat = new Dictionary<string, string?>(StringComparer.Ordinal);
        Add(flat, "", configuration);
        return flat;
    }

    static void Add(Dictionary<string, string?> flat, string prefix, JsonNode? node)
    {
        if (node is JsonObject obj && obj.Count > 0)
        {
            foreach (var (key, value) in obj) Add(flat, prefix.Length == 0 ? key : $"{prefix}.{key}", value);
            return;
        }
        // Strings without their quotes; numbers, lists and null as JSON writes them.
        flat[prefix] = node is JsonValue v && v.TryGetValue(out string? text) ? text : node?.ToJsonString() ?? "null";
    }
}
