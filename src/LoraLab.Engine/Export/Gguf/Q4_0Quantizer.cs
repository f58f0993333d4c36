using System.Buffers.Binary;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// Q4_0: blocks of 32 values as an f16 scale d = max/−8 (max being the value of largest magnitude, with its sign) and
/// 4-bit levels x/d + 8, value j in the low nibble of byte j and value j + 16 in its high nibble;
/// ggml-quants.c <c>quantize_row_q4_0_ref</c>.
/// </summary>
public static class Q4_0Quantizer
{
    public static byte[] Quantize(ReadOnlySpan<float> x)
    {
        const int qk = 32;
        int blockBytes = GgmlType.Q4_0.BlockBytes();
        var output = new byte[GgmlType.Q4_0.ByteCount(x.Length)];
        for (int block = 0; block < x.Length / qk; block++)
        {
            var values = x.Slice(block * qk, qk);
            var y = output.AsSpan(block * blockBytes, blockBytes);
            float amax = 0, max = 0;
            foreach (float v in values)
            {
                if (amax < MathF.Abs(v)) { amax = MathF.Abs(v); max = v; }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            BinaryPrimitives.WriteUInt16LittleEndian(y, FloatEncoding.ToF16Bits(d));
            for (int j = 0; j < qk / 2; j++)
            {
                // (int8_t) truncates toward zero; +8.5 makes that a rounding of x/d + 8.
                int low = Math.Min(15, (int)(sbyte)(values[j] * id + 8.5f));
                int high = Math.Min(15, (int)(sbyte)(values[qk / 2 + j] * id + 8.5f));
                y[2 + j] = (byte)(low | (high << 4));
            }
        }
        return output;
    }
}
