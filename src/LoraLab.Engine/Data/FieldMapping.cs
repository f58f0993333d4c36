using System.Text.Json;

namespace LoraLab.Engine.Data;

/// <summary>
/// Where a dataset keeps each field the formats know: a CSV column or JSON member named differently, e.g.
/// <c>{"instruction": "question", "output": "answer"}</c>. Fields left out keep their own names.
/// </summary>
public sealed class FieldMapping
{
    public static IReadOnlyList<string> KnownFields { get; } =
        ["instruction", "input", "output", "messages", "role", "content", "conversations", "from", "value", "prompt", "completion", "text"];

    public static FieldMapping Identity { get; } = new(null);

    readonly Dictionary<string, string> sourceOf;

    /// <param name="map">Known field name → the name the file uses.</param>
    public FieldMapping(IReadOnlyDictionary<string, string>? map)
    {
        sourceOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, source) in map ?? new Dictionary<string, string>())
        {
            if (!KnownFields.Contains(field))
                throw new ArgumentException($"column mapping: '{field}' is not a dataset field; known: {string.Join(", ", KnownFields)}", nameof(map));
            if (string.IsNullOrWhiteSpace(source))
                throw new ArgumentException($"column mapping: the name for '{field}' is empty", nameof(map));
            sourceOf[field] = source;
        }
    }

    public IReadOnlyDictionary<string, string> Mapped => sourceOf;

    public string SourceName(string field) => sourceOf.GetValueOrDefault(field, field);

    /// <summary>The field as the file names it, for messages: "'question' (mapped to instruction)".</summary>
    public string Describe(string field) => SourceName(field) == field ? $"'{field}'" : $"'{SourceName(field)}' (mapped to {field})";

    /// <summary>The member for a field; JSON null counts as absent.</summary>
    public bool TryGet(JsonElement record, string field, out JsonElement value)
    {
        if (record.TryGetProperty(SourceName(field), out value) && value.ValueKind != JsonValueKind.Null) return true;
        value = default;
        return false;
    }

    public bool Has(JsonElement record, string field) => TryGet(record, field, out _);
}
