using System.Text.Json;

namespace LoraLab.Engine.Tokenization;

/// <summary>Reading the JSON files of a model folder with errors that name the file and the field.</summary>
internal static class JsonFile
{
    public static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>The member, or null when it is absent or JSON null.</summary>
    public static JsonElement? Member(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static JsonElement Required(this JsonElement element, string name, string path) =>
        element.Member(name) ?? throw new InvalidDataException($"{path}: '{name}' is missing");

    public static string? String(this JsonElement element, string name) =>
        element.Member(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static bool Bool(this JsonElement element, string name, bool fallback) =>
        element.Member(name) is { ValueKind: JsonValueKind.True or JsonValueKind.False } value ? value.GetBoolean() : fallback;

    public static bool? OptionalBool(this JsonElement element, string name) =>
        element.Member(name) is { ValueKind: JsonValueKind.True or JsonValueKind.False } value ? value.GetBoolean() : null;

    /// <summary>A type tag such as <c>"type": "BPE"</c>; tokenizer.json leaves it out only where the kind is implied.</summary>
    public static string? Type(this JsonElement element) => element.String("type");
}
