using System.Text.Json;

namespace LoraLab.Engine.Checkpoints;

/// <summary>
/// The parsed and validated JSON header of a safetensors file. Every value that later sizes an allocation or a copy
/// (dtype, shape, offsets) is checked here against the data buffer, so loading never trusts the file.
/// </summary>
internal sealed record SafetensorsHeader(IReadOnlyDictionary<string, TensorEntry> Tensors, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The limit the reference implementation enforces; a larger claim is corruption or an attack.</summary>
    public const long MaxBytes = 100_000_000;

    public const string MetadataKey = "__metadata__";

    /// <summary>
    /// The header nests three levels (object, entry, shape); a deeper one is not a safetensors header, and the limit
    /// keeps a hostile header from recursing the parser.
    /// </summary>
    const int MaxJsonDepth = 8;

    /// <summary>PyTorch's kernels handle at most 25 dimensions; more in a header is corruption, and would size the shape array.</summary>
    public const int MaxRank = 32;

    public static SafetensorsHeader Parse(byte[] json, long dataBytes, string file)
    {
        using var document = ParseJson(json, file);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(file, null, $"the header must be a JSON object, found {root.ValueKind}.");

        var tensors = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        Dictionary<string, string>? metadata = null;
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name == MetadataKey)
            {
                if (metadata is not null) throw new CheckpointFormatException(file, null, $"the header has {MetadataKey} twice.");
                metadata = ReadMetadata(property.Value, file);
            }
            else
            {
                if (tensors.ContainsKey(property.Name)) throw new CheckpointFormatException(file, property.Name, "is declared twice in the header.");
                tensors.Add(property.Name, ReadEntry(property.Name, property.Value, dataBytes, file));
            }
        }
        RejectOverlaps(tensors.Values, file);
        return new SafetensorsHeader(tensors.AsReadOnly(), (metadata ?? []).AsReadOnly());
    }

    static JsonDocument ParseJson(byte[] json, string file)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(file, null, $"the header is not valid JSON ({e.Message})", e);
        }
    }

    static Dictionary<string, string> ReadMetadata(JsonElement element, string file)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(file, null, $"{MetadataKey} must be an object of strings, found {element.GetRawText()}.");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
                throw new CheckpointFormatException(file, null, $"{MetadataKey} key '{property.Name}' must map to a string, found {property.Value.GetRawText()}.");
            metadata[property.Name] = property.Value.GetString()!;
        }
        return metadata;
    }

    static TensorEntry ReadEntry(string name, JsonElement element, long dataBytes, string file)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(file, name, $"its header entry must be an object, found {element.GetRawText()}.");

        string dtypeText = element.TryGetProperty("dtype", out var dtypeElement) && dtypeElement.ValueKind == JsonValueKind.String
            ? dtypeElement.GetString()!
            : throw new CheckpointFormatException(file, name, "its header entry has no dtype string.");
        if (!SafetensorsDTypeExtensions.TryParse(dtypeText, out var dtype))
            throw new CheckpointFormatException(file, name, $"dtype '{dtypeText}' is not supported (expected one of {string.Join(", ", Enum.GetNames<SafetensorsDType>())}).");

        if (element.TryGetProperty("shape", out var shapeElement) && shapeElement.ValueKind == JsonValueKind.Array && shapeElement.GetArrayLength() > MaxRank)
            throw new CheckpointFormatException(file, name, $"shape has {shapeElement.GetArrayLength()} dimensions, more than the {MaxRank} allowed.");
        long[] shape = ReadIntegers(element, "shape", expectedCount: null, file, name);
        if (shape.Any(dimension => dimension < 0))
            throw new CheckpointFormatException(file, name, $"shape [{string.Join(", ", shape)}] has a negative dimension.");

        long[] offsets = ReadIntegers(element, "data_offsets", expectedCount: 2, file, name);
        long begin = offsets[0], end = offsets[1];
        string span = $"data_offsets [{begin}, {end}]";
        if (begin < 0 || end < 0) throw new CheckpointFormatException(file, name, $"{span} are negative.");
        if (end < begin) throw new CheckpointFormatException(file, name, $"{span} end before they begin.");
        if (end > dataBytes) throw new CheckpointFormatException(file, name, $"{span} run past the {dataBytes}-byte data buffer.");

        long expectedBytes;
        try
        {
            expectedBytes = dtype.ByteSize(shape);
        }
        catch (OverflowException)
        {
            throw new CheckpointFormatException(file, name, $"shape [{string.Join(", ", shape)}] of {dtype} needs more than 2^63 bytes.");
        }
        if (end - begin != expectedBytes)
            throw new CheckpointFormatException(file, name,
                $"{span} hold {end - begin} bytes but shape [{string.Join(", ", shape)}] of {dtype} needs {expectedBytes}.");

        return new TensorEntry(name, dtype, shape, begin, end, file);
    }

    static long[] ReadIntegers(JsonElement entry, string field, int? expectedCount, string file, string name)
    {
        if (!entry.TryGetProperty(field, out var array))
            throw new CheckpointFormatException(file, name, $"its header entry has no {field}.");
        bool wellFormed = array.ValueKind == JsonValueKind.Array
            && (expectedCount is null || array.GetArrayLength() == expectedCount)
            && array.EnumerateArray().All(item => item.ValueKind == JsonValueKind.Number && item.TryGetInt64(out _));
        if (!wellFormed)
        {
            string expected = expectedCount is null ? "an array of integers" : $"an array of {expectedCount} integers";
            throw new CheckpointFormatException(file, name, $"{field} must be {expected} within 64 bits, found {array.GetRawText()}.");
        }
        return array.EnumerateArray().Select(item => item.GetInt64()).ToArray();
    }

    /// <summary>Zero-byte tensors may share an offset with a neighbour; any two byte ranges that intersect are rejected.</summary>
    static void RejectOverlaps(IEnumerable<TensorEntry> entries, string file)
    {
        TensorEntry? furthest = null;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (furthest is not null && entry.Begin < furthest.End)
                throw new CheckpointFormatException(file, entry.Name,
                    $"data_offsets [{entry.Begin}, {entry.End}] overlap those of tensor '{furthest.Name}' [{furthest.Begin}, {furthest.End}].");
            if (furthest is null || entry.End > furthest.End) furthest = entry;
        }
    }
}
