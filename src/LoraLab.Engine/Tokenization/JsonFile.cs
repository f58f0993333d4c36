using System.Text.Json;
using LoraLab.Engine.Files;

namespace LoraLab.Engine.Tokenization;

/// <summary>Reading the JSON files of a model folder with errors that name the file and the field.</summary>
internal static class JsonFile
{
    /// <summary>The largest tokenizer.json accepted: the biggest published ones (256k-token vocabularies) are about 35 MB.</summary>
    public const long MaxTokenizerBytes = 128L << 20;

    /// <param name="maxBytes">A larger file is refused before it is read.</param>
    public static JsonDocument Parse(string path, long maxBytes = UntrustedFile.MaxConfigBytes)
    {
        Func<string, Exception> error = problem => new InvalidDataException($"{path}: {problem}");
        try
        {
            return UntrustedFile.ParseJsonDocument(UntrustedFile.ReadAllBytes(path, maxBytes, error), error);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>
    /// Runs a reader over a parsed file, turning what System.Text.Json and the BPE library throw for content of the
    /// wrong kind (a number where a string belongs, an index past an array's end) into an error naming the file.
    /// </summary>
    public static T Reading<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or IndexOutOfRangeException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{path}: unexpected content ({e.Message})", e);
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
