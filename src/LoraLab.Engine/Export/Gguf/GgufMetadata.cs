namespace LoraLab.Engine.Export.Gguf;

/// <summary>One metadata entry: its key, its GGUF type, and the value (for arrays, the element type and the items).</summary>
public sealed record GgufEntry(string Key, GgufValueType Type, object Value, GgufValueType ElementType = GgufValueType.UInt8);

/// <summary>
/// The key/value section of a GGUF file, in insertion order. Each adder fixes the GGUF type a key is written with,
/// because llama.cpp reads most keys with one expected type (uint32 for counts, float32 for epsilons) and refuses others.
/// </summary>
public sealed class GgufMetadata
{
    readonly List<GgufEntry> entries = [];
    readonly HashSet<string> keys = new(StringComparer.Ordinal);

    public IReadOnlyList<GgufEntry> Entries => entries;

    public bool Contains(string key) => keys.Contains(key);

    public GgufMetadata String(string key, string value) => Add(new(key, GgufValueType.String, value));
    public GgufMetadata UInt32(string key, uint value) => Add(new(key, GgufValueType.UInt32, value));
    public GgufMetadata Int32(string key, int value) => Add(new(key, GgufValueType.Int32, value));
    public GgufMetadata Float32(string key, float value) => Add(new(key, GgufValueType.Float32, value));
    public GgufMetadata Bool(string key, bool value) => Add(new(key, GgufValueType.Bool, value));
    public GgufMetadata Strings(string key, IReadOnlyList<string> values) => Add(new(key, GgufValueType.Array, values, GgufValueType.String));
    public GgufMetadata Float32s(string key, IReadOnlyList<float> values) => Add(new(key, GgufValueType.Array, values, GgufValueType.Float32));
    public GgufMetadata Int32s(string key, IReadOnlyList<int> values) => Add(new(key, GgufValueType.Array, values, GgufValueType.Int32));

    GgufMetadata Add(GgufEntry entry)
    {
        if (!keys.Add(entry.Key)) throw new ArgumentException($"GGUF metadata key '{entry.Key}' is set twice.");
        entries.Add(entry);
        return this;
    }
}
