using System.Buffers.Binary;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// Q4_K: super-blocks of 256 values in 8 sub-blocks of 32, each with a 6-bit scale and a 6-bit minimum relative to the
/// super-block's f16 d and dmin, and 4-bit levels; ggml-quants.c <c>quantize_row_q4_K_ref</c> (no importance matrix,
/// which is what <c>llama-quantize</c> uses without <c>--imatrix</c>).
/// Block layout: d (f16), dmin (f16), scales[12], qs[128].
/// </summary>
public static class Q4_KQuantizer
{
    const int QK = 256;

    public static byte[] Quantize(ReadOnlySpan<float> x)
    {
        int blockBytes = GgmlType.Q4_K.BlockBytes();
        var output = new byte[GgmlType.Q4_K.ByteCount(x.Length)];
        Span<byte> levels = stackalloc byte[QK];
        Span<byte> scratch = stackalloc byte[32];
        Span<float> weights = stackalloc float[32];
        Span<float> mins = stackalloc float[QK / 32];
        Span<float> scales = stackalloc float[QK / 32];
        for (int block = 0; block < x.Length / QK; block++)
        {
            var values = x.Slice(block * QK, QK);
            var y = output.AsSpan(block * blockBytes, blockBytes);
            var packedScales = y.Slice(4, 12);
            var qs = y.Slice(16, 128);
            float maxScale = 0, maxMin = 0;   // scales and (negated) minimums are never negative here
            for (int j = 0; j < QK / 32; j++)
            {
                var sub = values.Slice(32 * j, 32);
                float sumX2 = 0;
                for (int l = 0; l < 32; l++) sumX2 += sub[l] * sub[l];
                float avX = MathF.Sqrt(sumX2 / 32);
                for (int l = 0; l < 32; l++) weights[l] = avX + MathF.Abs(sub[l]);
                scales[j] = QuantMath.MakeQkx2Quants(32, 15, sub, weights, levels.Slice(32 * j, 32), out mins[j], scratch, -1f, 0.1f, 20);
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
            float invScale = maxScale > 0 ? 63f / maxScale : 0f;
            float invMin = maxMin > 0 ? 63f / maxMin : 0f;
            for (int j = 0; j < QK / 32; j++)
            {
                byte ls = (byte)Math.Min((byte)63, (byte)QuantMath.NearestInt(invScale * scales[j]));   // uint8_t truncation, then MIN(63, ·)
                byte lm = (byte)Math.Min((byte)63, (byte)QuantMath.NearestInt(invMin * mins[j]));
                if (j < 4)
                {
                    packedScales[j] = ls;
                    packedScales[j + 4] = lm;
                }
                else
                {
                    // Sub-blocks 4..7 keep their low 4 bits in bytes 8..11 and their top 2 bits in the spare bits 6..7 of bytes 0..7.
                    packedScales[j + 4] = (byte)((ls & 0xF) | ((lm & 0xF) << 4));
                    packedScales[j - 4] |= (byte)((ls >> 4) << 6);
                    packedScales[j] |= (byte)((lm >> 4) << 6);
                }
            }
            ushort dBits = FloatEncoding.ToF16Bits(maxScale / 63f), dminBits = FloatEncoding.ToF16Bits(maxMin / 63f);
            BinaryPrimitives.WriteUInt16LittleEndian(y, dBits);
            BinaryPrimitives.WriteUInt16LittleEndian(y[2..], dminBits);
            for (int j = 0; j < QK / 32; j++)
            {
                var (sc, m) = ScaleMin(j, packedScales);
                float d = FloatEncoding.FromF16Bits(dBits) * sc;
                if (d == 0) continue;
                float dm = FloatEncoding.FromF16Bits(dminBits) * m;
                for (int i = 0; i < 32; i++)
                    levels[32 * j + i] = (byte)Math.Clamp(QuantMath.NearestInt((values[32 * j + i] + dm) / d), 0, 15);
            }
            for (int j = 0, q = 0; j < QK; j += 64, q += 32)
                for (int l = 0; l < 32; l++) qs[q + l] = (byte)(levels[j + l] | (levels[j + l + 32] << 4));
        }
        return output;
    }

    /// <summary>The 6-bit scale and minimum of sub-block <paramref name="j"/> (ggml's <c>get_scale_min_k4</c>).</summary>
    internal static (int Scale, int Min) ScaleMin(int j, ReadOnlySpan<byte> q) => j < 4
        ? (q[j] & 63, q[j + 4] & 63)
        : ((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4));
}
