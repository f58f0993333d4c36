namespace LoraLab.Engine.Export.Gguf;

/// <summary>What <c>--type</c> asks for; the values are llama.cpp's <c>enum llama_ftype</c>, written as <c>general.file_type</c>.</summary>
public enum GgufFileType : uint
{
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q8_0 = 7,
    Q4_K_M = 15,
    BF16 = 32,
}

public static class GgufFileTypes
{
    static readonly Dictionary<string, GgufFileType> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["f32"] = GgufFileType.F32, ["f16"] = GgufFileType.F16, ["bf16"] = GgufFileType.BF16,
        ["q8_0"] = GgufFileType.Q8_0, ["q4_0"] = GgufFileType.Q4_0, ["q4_k_m"] = GgufFileType.Q4_K_M,
    };

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static GgufFileType Parse(string name) => ByName.TryGetValue(name.Trim(), out var type)
        ? type
        : throw new ArgumentException($"GGUF type '{name}' is not supported; choose one of {string.Join(", ", ByName.Keys)}.");

    public static string Name(this GgufFileType type) => ByName.First(kv => kv.Value == type).Key;
}
