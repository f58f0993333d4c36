namespace LoraLab.Engine.Export.Gguf;

/// <summary>The tensor element types this exporter writes, numbered as ggml's <c>enum ggml_type</c> (ggml.h).</summary>
public enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q5_0 = 6,
    Q8_0 = 8,
    Q4_K = 12,
    Q6_K = 14,
    BF16 = 30,
}

/// <summary>Block geometry of each type (ggml-common.h): how many values one block holds and how many bytes it takes.</summary>
public static class GgmlTypeLayout
{
    public static int BlockSize(this GgmlType type) => type switch
    {
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 => 1,
        GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 => 32,
        GgmlType.Q4_K or GgmlType.Q6_K => 256,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown ggml type"),
    };

    public static int BlockBytes(this GgmlType type) => type switch
    {
        GgmlType.F32 => 4,
        GgmlType.F16 or GgmlType.BF16 => 2,
        GgmlType.Q4_0 => 2 + 16,             // f16 d, 32 nibbles
        GgmlType.Q5_0 => 2 + 4 + 16,         // f16 d, 32 high bits, 32 nibbles
        GgmlType.Q8_0 => 2 + 32,             // f16 d, 32 int8
        GgmlType.Q4_K => 2 + 2 + 12 + 128,   // f16 d, f16 dmin, 8 packed 6-bit scale/min pairs, 256 nibbles
        GgmlType.Q6_K => 128 + 64 + 16 + 2,  // low nibbles, high 2 bits, 16 int8 scales, f16 d
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown ggml type"),
    };

    /// <summary>Bytes of <paramref name="count"/> values; <paramref name="count"/> must be a whole number of blocks.</summary>
    public static long ByteCount(this GgmlType type, long count)
    {
        if (count % type.BlockSize() != 0)
            throw new ArgumentException($"{count} values are not a whole number of {type} blocks of {type.BlockSize()}.");
        return count / type.BlockSize() * type.BlockBytes();
    }
}
