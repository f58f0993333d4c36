using System.Buffers.Binary;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// Q8_0: blocks of 32 values as an f16 scale d = max|x|/127 and 32 int8 levels round(x/d), halves away from zero;
/// ggml-quants.c <c>quantize_row_q8_0_ref</c>.
/// </summary>
public static class Q8_0Quantizer
{
    public static byte[] Quantize(ReadOnlySpan<float> x)
    {
        const int qk = 32;
        var output = new byte[GgmlType.Q8_0.ByteCount(x.Length)];
        for (int block = 0; block < x.Length / qk; block++)
        {
            var values = x.Slice(block * qk, qk);
            var y = output.AsSpan(block * GgmlType.Q8_0.BlockBytes(), GgmlType.Q8_0.BlockBytes());
            float amax = 0;
            foreach (float v in values) amax = MathF.Max(amax, MathF.Abs(v));
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            BinaryPrimitives.WriteUInt16LittleEndian(y, FloatEncoding.ToF16Bits(d));
            for (int j = 0; j < qk; j++) y[2 + j] = (byte)(sbyte)MathF.Round(values[j] * id, MidpointRounding.AwayFromZero);
        }
        return output;
    }
}
