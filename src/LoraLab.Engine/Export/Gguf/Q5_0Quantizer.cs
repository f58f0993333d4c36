using System.Buffers.Binary;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// Q5_0: as Q4_0 with 5-bit levels (d = max/−16); the fifth bits of the 32 values go into a uint32, bit j for value j.
/// llama.cpp falls back to it for Q4_K tensors whose rows are not a multiple of 256; ggml-quants.c <c>quantize_row_q5_0_ref</c>.
/// </summary>
public static class Q5_0Quantizer
{
    public static byte[] Quantize(ReadOnlySpan<float> x)
    {
        const int qk = 32;
        int blockBytes = GgmlType.Q5_0.BlockBytes();
        var output = new byte[GgmlType.Q5_0.ByteCount(x.Length)];
        for (int block = 0; block < x.Length / qk; block++)
        {
            var values = x.Slice(block * qk, qk);
            var y = output.AsSpan(block * blockBytes, blockBytes);
            float amax = 0, max = 0;
            foreach (float v in values)
            {
                if (amax < MathF.Abs(v)) { amax = MathF.Abs(v); max = v; }
            }
            float d = max / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            BinaryPrimitives.WriteUInt16LittleEndian(y, FloatEncoding.ToF16Bits(d));
            uint highBits = 0;
            for (int j = 0; j < qk / 2; j++)
            {
                int low = Math.Min(31, (int)(sbyte)(values[j] * id + 16.5f));
                int high = Math.Min(31, (int)(sbyte)(values[qk / 2 + j] * id + 16.5f));
                y[6 + j] = (byte)((low & 0x0F) | ((high & 0x0F) << 4));
                highBits |= (uint)((low & 0x10) >> 4) << j;
                highBits |= (uint)((high & 0x10) >> 4) << (j + qk / 2);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(y[2..], highBits);
        }
        return output;
    }
}
