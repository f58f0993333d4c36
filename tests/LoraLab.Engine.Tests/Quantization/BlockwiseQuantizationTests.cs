using LoraLab.Engine.Quantization;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Quantization;

public class BlockwiseQuantizationTests
{
    public static TheoryData<FourBitType, int> Types() => new() { { FourBitType.Nf4, 1 }, { FourBitType.Fp4, 2 } };

    static double[] Reference(FourBitType type) => type == FourBitType.Nf4 ? ReferenceQuantizer.Nf4 : ReferenceQuantizer.Fp4();

    [Theory]
    [MemberData(nameof(Types))]
    public void Codes_and_values_equal_a_loop_over_doubles_on_hard_blocks(FourBitType type, int seed)
    {
        var weights = TestWeights.WithHardBlocks(seed);
        var (expectedCodes, expectedAbsmax) = ReferenceQuantizer.Quantize(weights, Reference(type), 64);
        var expectedValues = ReferenceQuantizer.Dequantize(expectedCodes, expectedAbsmax, Reference(type), 64);

        using var w = tensor(weights);
        var (codes, absmax) = BlockwiseQuantization.Quantize(w, CodeBook.For(type), 64);
        using var values = BlockwiseQuantization.Dequantize(codes, absmax, CodeBook.For(type), 64, ScalarType.Float32);

        Assert.Equal(expectedCodes, codes.data<byte>().ToArray());
        Assert.Equal(expectedAbsmax, absmax.data<float>().ToArray());
        AssertClose(expectedValues, values.data<float>().ToArray());
        codes.Dispose();
        absmax.Dispose();
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void A_block_of_zeros_comes_back_as_exact_zeros(FourBitType type, int seed)
    {
        var weights = TestWeights.WithHardBlocks(seed);

        using var w = tensor(weights);
        var (codes, absmax) = BlockwiseQuantization.Quantize(w, CodeBook.For(type), 64);
        using var values = BlockwiseQuantization.Dequantize(codes, absmax, CodeBook.For(type), 64, ScalarType.Float32);

        Assert.Equal(0f, absmax[3].item<float>());
        Assert.All(values.narrow(0, 64 * 3, 64).data<float>().ToArray(), v => Assert.Equal(0f, v));
        codes.Dispose();
        absmax.Dispose();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(64 * 5 + 1)]
    public void A_count_that_is_not_a_multiple_of_the_block_ends_in_a_short_block_of_its_own(int count)
    {
        var weights = TestWeights.Gaussian(count, seed: count);
        var (expectedCodes, expectedAbsmax) = ReferenceQuantizer.Quantize(weights, ReferenceQuantizer.Nf4, 64);

        using var w = tensor(weights);
        var (codes, absmax) = BlockwiseQuantization.Quantize(w, CodeBook.Nf4, 64);
        using var values = BlockwiseQuantization.Dequantize(codes, absmax, CodeBook.Nf4, 64, ScalarType.Float32);

        Assert.Equal(count, codes.numel());
        Assert.Equal((count + 63) / 64, absmax.numel());
        Assert.Equal(expectedCodes, codes.data<byte>().ToArray());
        Assert.Equal(expectedAbsmax, absmax.data<float>().ToArray());
        AssertClose(ReferenceQuantizer.Dequantize(expectedCodes, expectedAbsmax, ReferenceQuantizer.Nf4, 64), values.data<float>().ToArray());
        codes.Dispose();
        absmax.Dispose();
    }

    [Fact]
    public void The_largest_magnitude_of_each_block_comes_back_exactly()
    {
        var weights = TestWeights.Gaussian(64 * 8, seed: 3);

        using var w = tensor(weights);
        var (codes, absmax) = BlockwiseQuantization.Quantize(w, CodeBook.Nf4, 64);
        using var values = BlockwiseQuantization.Dequantize(codes, absmax, CodeBook.Nf4, 64, ScalarType.Float32);

        var restored = values.data<float>().ToArray();
        for (int b = 0; b < 8; b++)
        {
            int extreme = Enumerable.Range(b * 64, 64).MaxBy(i => Math.Abs(weights[i]));
            Assert.Equal(weights[extreme], restored[extreme]);   // code ±1 × absmax
        }
        codes.Dispose();
        absmax.Dispose();
    }

    [Fact]
    public void Codes_pack_two_to_a_byte_with_the_first_in_the_high_nibble()
    {
        using var codes = tensor(new byte[] { 1, 2, 15, 0, 7 });

        using var packed = NibblePacking.Pack(codes);
        using var values = CodeBook.Fp4.LookupPacked(packed);

        Assert.Equal(new byte[] { 0x12, 0xF0, 0x70 }, packed.data<byte>().ToArray());
        Assert.Equal(new[] { 1, 2, 15, 0, 7, 0 }.Select(c => CodeBook.Fp4.Values[c]), values.data<float>().ToArray());
    }

    internal static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])),
                $"Element {i}: expected {expected[i]:R}, got {actual[i]:R}.");
    }
}
