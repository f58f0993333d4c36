using System.Buffers.Binary;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>float32 values to the little-endian bytes of F32, F16 and BF16 tensors, rounded as ggml rounds them.</summary>
public static class FloatEncoding
{
    public static byte[] F32(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    /// <summary>IEEE binary16, round to nearest, ties to even (.NET's conversion, as F16C's <c>_cvtss_sh</c> that ggml uses).</summary>
    public static ushort ToF16Bits(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    public static float FromF16Bits(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>A float32 as ggml stores it as f16 and reads it back (the scales of quantized blocks are rounded so).</summary>
    public static float RoundThroughF16(float value) => FromF16Bits(ToF16Bits(value));

    public static byte[] F16(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), ToF16Bits(values[i]));
        return bytes;
    }

    /// <summary>
    /// bfloat16 rounded to nearest even on the 16 dropped bits, NaNs kept quiet, as ggml's <c>ggml_compute_fp32_to_bf16</c>
    /// (and the numpy rounding of convert_hf_to_gguf.py).
    /// </summary>
    public static ushort ToBF16Bits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) return (ushort)((bits >> 16) | 64);
        return (ushort)((bits + (0x7fff + ((bits >> 16) & 1))) >> 16);
    }

    public static byte[] BF16(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), ToBF16Bits(values[i]));
        return bytes;
    }
}
