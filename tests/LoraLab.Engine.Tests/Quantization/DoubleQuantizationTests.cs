using LoraLab.Engine.Quantization;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Quantization;

public class DoubleQuantizationTests
{
    [Theory]
    [InlineData(1000, 1)]   // 1000 scales: three full 256-blocks and a short one
    [InlineData(256, 2)]
    [InlineData(1, 3)]
    public void Scale_codes_and_values_equal_a_loop_over_doubles(int blocks, int seed)
    {
        var scales = TestWeights.Gaussian(blocks, seed).Select(v => Math.Abs(v) * 0.05f + 0.01f).ToArray();
        var (expectedCodes, expectedNested, expectedOffset) = ReferenceQuantizer.DoubleQuantize(scales);
        var expectedValues = ReferenceQuantizer.DoubleDequantize(expectedCodes, expectedNested, expectedOffset);

        using var absmax = tensor(scales);
        var (codes, nested, offset) = DoubleQuantization.Quantize(absmax);
        using var values = DoubleQuantization.Dequantize(codes, nested, offset);

        Assert.Equal(expectedOffset, offset.item<float>());
        Assert.Equal(expectedNested, nested.data<float>().ToArray());
        Assert.Equal(expectedCodes, codes.data<byte>().ToArray());
        BlockwiseQuantizationTests.AssertClose(expectedValues, values.data<float>().ToArray());
        foreach (var t in new[] { codes, nested, offset }) t.Dispose();
    }

    [Fact]
    public void The_scales_of_hard_blocks_survive_double_quantization_as_the_reference_computes_them()
    {
        var (_, scales) = ReferenceQuantizer.Quantize(TestWeights.WithHardBlocks(4).Select(v => Math.Clamp(v, -4f, 4f)).ToArray(), ReferenceQuantizer.Nf4, 64);
        var (expectedCodes, expectedNested, expectedOffset) = ReferenceQuantizer.DoubleQuantize(scales);

        using var absmax = tensor(scales);
        var (codes, nested, offset) = DoubleQuantization.Quantize(absmax);
        using var values = DoubleQuantization.Dequantize(codes, nested, offset);

        Assert.Equal(expectedCodes, codes.data<byte>().ToArray());
        BlockwiseQuantizationTests.AssertClose(ReferenceQuantizer.DoubleDequantize(expectedCodes, expectedNested, expectedOffset), values.data<float>().ToArray());
        foreach (var t in new[] { codes, nested, offset }) t.Dispose();
    }

    [Fact]
    public void Equal_scales_come_back_exactly()
    {
        using var absmax = full([300], 0.125f);

        var (codes, nested, offset) = DoubleQuantization.Quantize(absmax);
        using var values = DoubleQuantization.Dequantize(codes, nested, offset);

        Assert.All(values.data<float>().ToArray(), v => Assert.Equal(0.125f, v));
        foreach (var t in new[] { codes, nested, offset }) t.Dispose();
    }

    [Fact]
    public void Scales_near_the_float32_maximum_do_not_overflow_the_mean()
    {
        using var absmax = tensor(new[] { 3.0e38f, 3.0e38f, 2.0e38f, 1.0f });

        var (codes, nested, offset) = DoubleQuantization.Quantize(absmax);
        using var values = DoubleQuantization.Dequantize(codes, nested, offset);

        Assert.Equal((float)((3.0e38 + 3.0e38 + 2.0e38 + 1.0) / 4), offset.item<float>());
        Assert.True(isfinite(values).all().item<bool>());
        foreach (var t in new[] { codes, nested, offset }) t.Dispose();
    }
}
