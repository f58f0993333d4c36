using LoraLab.Engine.Quantization;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Quantization;

public class CodeBookTests
{
    [Fact]
    public void The_nf4_code_book_is_the_sixteen_published_values()
    {
        Assert.Equal(ReferenceQuantizer.Nf4.Select(v => (float)v), CodeBook.Nf4.Values);
    }

    [Fact]
    public void The_fp4_code_book_is_bitsandbytes_sign_exponent_mantissa_table()
    {
        Assert.Equal(ReferenceQuantizer.Fp4().Select(v => (float)v), CodeBook.Fp4.Values);
        // bitsandbytes' normalised table (backends/utils.py, _FP4_QUANT_TABLE), printed to four decimals.
        double[] printed = [0.0000, 0.0052, 0.6667, 1.0000, 0.3333, 0.5000, 0.1667, 0.2500, 0.0000, -0.0052, -0.6667, -1.0000, -0.3333, -0.5000, -0.1667, -0.2500];
        Assert.All(Enumerable.Range(0, 16), c => Assert.Equal(printed[c], CodeBook.Fp4.Values[c], 4));
    }

    [Fact]
    public void The_dynamic_map_has_256_sorted_values_from_minus_one_to_one_with_one_zero()
    {
        var map = CodeBook.Dynamic8Bit.Values;

        Assert.Equal(ReferenceQuantizer.DynamicMap().Select(v => (float)v), map);
        Assert.Equal(256, map.Count);
        Assert.Equal(map.Order(), map);
        Assert.Equal(1, map.Count(v => v == 0));
        Assert.Equal(1f, map[^1]);
        Assert.Equal(-0.99296875f, map[0]);          // 1 − 0.9/128, the last midpoint of the top decade
        Assert.Equal(5.5e-7f, map.Where(v => v > 0).Min());   // 10⁻⁶ · (0.1 + 1)/2
    }

    [Fact]
    public void A_value_exactly_halfway_between_two_codes_gets_the_smaller_one_as_in_bitsandbytes_nf4_thresholds()
    {
        // Halfway between 0 and its neighbours is exactly representable; bitsandbytes' NF4 kernel compares with ">" there.
        float up = 0.07958029955625534f / 2, down = -0.09105003625154495f / 2;
        using var x = tensor(new[] { up, MathF.BitIncrement(up), down, MathF.BitDecrement(down), 0f, -0f });

        using var codes = CodeBook.Nf4.Nearest(x);

        Assert.Equal(new byte[] { 7, 8, 6, 6, 7, 7 }, codes.data<byte>().ToArray());
        Assert.Equal(x.data<float>().ToArray().Select(v => (byte)ReferenceQuantizer.Nearest(v, ReferenceQuantizer.Nf4)), codes.data<byte>().ToArray());
    }

    [Fact]
    public void Fp4_zero_of_either_sign_gets_the_code_of_plus_zero()
    {
        float halfway = CodeBook.Fp4.Values[1] / 2;
        using var x = tensor(new[] { 0f, -0f, halfway, MathF.BitIncrement(halfway) });

        using var codes = CodeBook.Fp4.Nearest(x);

        Assert.Equal(new byte[] { 0, 0, 0, 1 }, codes.data<byte>().ToArray());
    }
}
