using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace LoraLab.Engine.Files;

/// <summary>
/// Reads files the engine did not write (a downloaded model folder, an imported adapter, an uploaded dataset): the
/// size is checked against a limit before a buffer is allocated for the content, and JSON is parsed with a depth limit,
/// so a hostile file costs at most its limit in memory and fails with the caller's own exception type.
/// </summary>
public static class UntrustedFile
{
    /// <summary>config.json, adapter_config.json, tokenizer_config.json and the like are kilobytes; 16 MiB leaves room for long chat templates.</summary>
    public const long MaxConfigBytes = 16L << 20;

    /// <summary>The Hugging Face files nest a handful of levels deep; 64 is System.Text.Json's own default, stated here so it is a decision.</summary>
    public const int MaxJsonDepth = 64;

    public static JsonDocumentOptions DocumentOptions { get; } = new()
    {
        MaxDepth = MaxJsonDepth, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>For documents read as a <see cref="JsonNode"/>: a JsonObject cannot hold a name twice, so a repeated one is a syntax error there.</summary>
    static readonly JsonDocumentOptions NodeOptions = DocumentOptions with { AllowDuplicateProperties = false };

    /// <summary>
    /// The bytes of <paramref name="path"/>, refused through <paramref name="error"/> (given the problem as a phrase,
    /// without the path) when the file is larger than <paramref name="maxBytes"/>; nothing is read in that case.
    /// </summary>
    public static byte[] ReadAllBytes(string path, long maxBytes, Func<string, Exception> error)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = stream.Length;
        if (length > maxBytes) throw error($"the file has {length:N0} bytes, more than the {maxBytes:N0} bytes allowed for it");
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    public static string ReadAllText(string path, long maxBytes, Func<string, Exception> error) =>
        Encoding.UTF8.GetString(ReadAllBytes(path, maxBytes, error));

    /// <summary>A JSON document of at most <see cref="MaxConfigBytes"/> and <see cref="MaxJsonDepth"/> levels; syntax errors stay <see cref="JsonException"/>.</summary>
    public static JsonNode? ParseJsonNode(string path, Func<string, Exception> error) => ParseJsonNode(ReadAllBytes(path, MaxConfigBytes, error), error);

    /// <summary>JSON already in memory (a file fetched from the Hub), with the same limits.</summary>
    public static JsonNode? ParseJsonNode(ReadOnlySpan<byte> json, Func<string, Exception> error)
    {
        RequireUtf8(json, error);
        return JsonNode.Parse(json, documentOptions: NodeOptions);
    }

    /// <summary>A JSON document with the same limits, for readers that walk it without building nodes.</summary>
    public static JsonDocument ParseJsonDocument(ReadOnlyMemory<byte> json, Func<string, Exception> error)
    {
        RequireUtf8(json.Span, error);
        return JsonDocument.Parse(json, DocumentOptions);
    }

    /// <summary>System.Text.Json accepts invalid UTF-8 inside a string and throws only when the string is read, far from the file.</summary>
    static void RequireUtf8(ReadOnlySpan<byte> json, Func<string, Exception> error)
    {
        if (!Utf8.IsValid(json)) throw error("the text is not valid UTF-8");
    }
}
