namespace LoraLab.Engine.Tests.Quantization;

/// <summary>
/// Block-wise absmax quantization written out in loops over doubles, from the published definitions, to check the
/// engine's tensor code against. Every float32 operation of the engine is a double operation rounded once to float,
/// which gives the same result for +, −, × and ÷ (float64 carries more than twice float32's precision).
/// </summary>
static class ReferenceQuantizer
{
    /// <summary>The NF4 values printed in QLoRA's appendix and bitsandbytes' <c>get_4bit_type("nf4")</c>.</summary>
    public static readonly double[] Nf4 =
    [
        -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334,
        -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
        0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
    ];

    /// <summary>bitsandbytes' FP4 decoded bit by bit as its test suite does: sign|e1 e0|m, bias 3, subnormal 0.0625, ÷ 12.</summary>
    public static double[] Fp4()
    {
        var values = new double[16];
        for (int code = 0; code < 16; code++)
        {
            int sign = code >> 3, exponent = (code >> 1) & 3, mantissa = code & 1;
            double magnitude = exponent == 0 ? mantissa * 0.0625 : Math.Pow(2, -exponent + 3 + 1) * (mantissa == 1 ? 1.5 : 1.0);
            values[code] = (sign == 1 ? -magnitude : magnitude) / 12;
        }
        return values;
    }

    /// <summary>bitsandbytes' <c>create_dynamic_map(signed=True)</c>: per decade, the midpoints of linspace(0.1, 1, 2^i + 1).</summary>
    public static double[] DynamicMap()
    {
        var data = new List<double>();
        for (int i = 0; i < 7; i++)
        {
            int fractionItems = (1 << i) + 1;
            var boundaries = Enumerable.Range(0, fractionItems).Select(k => 0.1 + k * (1 - 0.1) / (fractionItems - 1)).ToArray();
            for (int k = 0; k + 1 < fractionItems; k++)
            {
                double mean = (boundaries[k] + boundaries[k + 1]) / 2 * Math.Pow(10, -6 + i);
                data.Add(mean);
                data.Add(-mean);
            }
        }
        data.Add(0);
        data.Add(1);
        data.Sort();
        return data.ToArray();
    }

    /// <summary>The code nearest to <paramref name="x"/>; on a tie the smaller value, and of equal values the lower code.</summary>
    public static int Nearest(double x, double[] book)
    {
        int best = 0;
        for (int code = 1; code < book.Length; code++)
        {
            double d = Math.Abs(x - F(book[code])), bestD = Math.Abs(x - F(book[best]));
            if (d < bestD || (d == bestD && F(book[code]) < F(book[best]))) best = code;
        }
        return best;
    }

    public static (byte[] Codes, float[] Absmax) Quantize(float[] values, double[] book, int blockSize)
    {
        int blocks = (values.Length + blockSize - 1) / blockSize;
        var codes = new byte[values.Length];
        var absmax = new float[blocks];
        for (int b = 0; b < blocks; b++)
        {
            int start = b * blockSize, end = Math.Min(values.Length, start + blockSize);
            for (int i = start; i < end; i++) absmax[b] = Math.Max(absmax[b], Math.Abs(values[i]));
            for (int i = start; i < end; i++)
            {
                double scaled = absmax[b] == 0 ? 0 : F((double)values[i] / absmax[b]);
                codes[i] = (byte)Nearest(scaled, book);
            }
        }
        return (codes, absmax);
    }

    public static float[] Dequantize(byte[] codes, float[] absmax, double[] book, int blockSize) =>
        codes.Select((c, i) => F(F(book[c]) * (double)absmax[i / blockSize])).ToArray();

    /// <summary>Double quantization as bitsandbytes' <c>quantize_4bit(compress_statistics=True)</c>: centre on the mean, then 8-bit blocks of 256.</summary>
    public static (byte[] Codes, float[] NestedAbsmax, float Offset) DoubleQuantize(float[] absmax)
    {
        float offset = F(absmax.Sum(a => (double)a) / absmax.Length);
        var centered = absmax.Select(a => F((double)a - offset)).ToArray();
        var (codes, nested) = Quantize(centered, DynamicMap(), 256);
        return (codes, nested, offset);
    }

    public static float[] DoubleDequantize(byte[] codes, float[] nestedAbsmax, float offset) =>
        Dequantize(codes, nestedAbsmax, DynamicMap(), 256).Select(c => F((double)c + offset)).ToArray();

    /// <summary>Symmetric 4-bit integers: round(x / absmax · 7) ∈ −7…7 per block, the baseline NF4 is meant to beat.</summary>
    public static float[] Int4RoundTrip(float[] values, int blockSize)
    {
        var result = new float[values.Length];
        for (int start = 0; start < values.Length; start += blockSize)
        {
            int end = Math.Min(values.Length, start + blockSize);
            double absmax = 0;
            for (int i = start; i < end; i++) absmax = Math.Max(absmax, Math.Abs(values[i]));
            for (int i = start; i < end; i++)
                result[i] = absmax == 0 ? 0 : (float)(Math.Round(values[i] / absmax * 7, MidpointRounding.ToEven) / 7 * absmax);
        }
        return result;
    }

    static float F(double x) => (float)x;
}
