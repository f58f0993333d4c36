using System.Buffers.Binary;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// Q6_K: super-blocks of 256 values in 16 sub-blocks of 16, each with an int8 scale relative to the super-block's f16 d,
/// and 6-bit levels split into a low nibble (ql) and two high bits (qh); ggml-quants.c <c>quantize_row_q6_K_ref</c>.
/// Block layout: ql[128], qh[64], scales[16] (int8), d (f16).
/// </summary>
public static class Q6_KQuantizer
{
    const int QK = 256;
    const float GroupMaxEps = 1e-15f;

    public static byte[] Quantize(ReadOnlySpan<float> x)
    {
        int blockBytes = GgmlType.Q6_K.BlockBytes();
        var output = new byte[GgmlType.Q6_K.ByteCount(x.Length)];
        Span<sbyte> levels = stackalloc sbyte[QK];
        Span<float> scales = stackalloc float[QK / 16];
        for (int block = 0; block < x.Length / QK; block++)
        {
            var values = x.Slice(block * QK, QK);
            var y = output.AsSpan(block * blockBytes, blockBytes);
            var ql = y[..128];
            var qh = y.Slice(128, 64);
            var blockScales = y.Slice(192, 16);
            float maxScale = 0, maxAbsScale = 0;
            for (int ib = 0; ib < QK / 16; ib++)
            {
                float scale = QuantMath.MakeQxQuants(16, 32, values.Slice(16 * ib, 16), levels.Slice(16 * ib, 16));
                scales[ib] = scale;
                if (MathF.Abs(scale) > maxAbsScale) { maxAbsScale = MathF.Abs(scale); maxScale = scale; }
            }
            if (maxAbsScale < GroupMaxEps) continue;   // an all-zero block: every byte, d included, stays 0
            float iscale = -128f / maxScale;
            ushort dBits = FloatEncoding.ToF16Bits(1 / iscale);
            BinaryPrimitives.WriteUInt16LittleEndian(y[208..], dBits);
            for (int ib = 0; ib < QK / 16; ib++) blockScales[ib] = (byte)(sbyte)Math.Min(127, QuantMath.NearestInt(iscale * scales[ib]));
            for (int j = 0; j < QK / 16; j++)
            {
                float d = FloatEncoding.FromF16Bits(dBits) * (sbyte)blockScales[j];
                if (d == 0) continue;
                for (int i = 0; i < 16; i++)
                    levels[16 * j + i] = (sbyte)(Math.Clamp(QuantMath.NearestInt(values[16 * j + i] / d), -32, 31) + 32);
            }
            for (int j = 0, o = 0; j < QK; j += 128, o++)
            {
                var low = ql.Slice(64 * o, 64);
                var high = qh.Slice(32 * o, 32);
                for (int l = 0; l < 32; l++)
                {
                    int q1 = levels[j + l], q2 = levels[j + l + 32], q3 = levels[j + l + 64], q4 = levels[j + l + 96];
                    low[l] = (byte)((q1 & 0xF) | ((q3 & 0xF) << 4));
                    low[l + 32] = (byte)((q2 & 0xF) | ((q4 & 0xF) << 4));
                    high[l] = (byte)((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
                }
            }
        }
        return output;
    }
}
