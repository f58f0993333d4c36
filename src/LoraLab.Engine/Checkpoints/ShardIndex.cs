using System.Text.Json;
using LoraLab.Engine.Files;

namespace LoraLab.Engine.Checkpoints;

/// <summary>
/// The Hugging Face shard index, <c>{base}.safetensors.index.json</c>:
/// <c>{"metadata": {"total_size": bytes}, "weight_map": {tensor: shard file}}</c>.
/// </summary>
internal static class ShardIndex
{
    /// <summary>Index files are a few hundred kilobytes even for the largest models; a bigger one is not an index.</summary>
    const long MaxBytes = 100_000_000;

    public static string FileName(string baseName) => $"{baseName}.safetensors.index.json";

    /// <summary>Tensor name to shard file name, in index order. Shard names must be bare file names in the index's folder.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ReadWeightMap(string indexPath)
    {
        using var document = ParseJson(indexPath);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("weight_map", out var weightMap) || weightMap.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(indexPath, null, "the index must be a JSON object with a weight_map object.");

        var map = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in weightMap.EnumerateObject())
        {
            string tensor = property.Name;
            if (!seen.Add(tensor)) throw new CheckpointFormatException(indexPath, tensor, "is listed twice in weight_map.");
            string? shard = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
            if (string.IsNullOrEmpty(shard) || Path.GetFileName(shard) != shard || shard is "." or "..")
                throw new CheckpointFormatException(indexPath, tensor,
                    $"weight_map must name a shard file in the index's folder, found {property.Value.GetRawText()}.");
            map.Add(new(tensor, shard));
        }
        return map;
    }

    static JsonDocument ParseJson(string indexPath)
    {
        try
        {
            Func<string, Exception> error = problem => new CheckpointFormatException(indexPath, null, $"{problem}.");
            return UntrustedFile.ParseJsonDocument(UntrustedFile.ReadAllBytes(indexPath, MaxBytes, error), error);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(indexPath, null, $"the index is not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>Keys sorted, two-space indentation: what transformers' save_pretrained writes.</summary>
    public static void Write(string indexPath, long totalSize, IEnumerable<KeyValuePair<string, string>> weightMap)
    {
        AtomicFile.Write(indexPath, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            writer.WriteStartObject();
            writer.WriteStartObject("metadata");
            writer.WriteNumber("total_size", totalSize);
            writer.WriteEndObject();
            writer.WriteStartObject("weight_map");
            foreach (var (tensor, shard) in weightMap.OrderBy(pair => pair.Key, StringComparer.Ordinal))
                writer.WriteString(tensor, shard);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }
}
