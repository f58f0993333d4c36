using LoraLab.Engine.Quantization;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Quantization;

public class QuantizedLinearTests
{
    static Tensor RandomWeight(long outF, long inF, int seed) => tensor(TestWeights.Gaussian((int)(outF * inF), seed, std: 0.05)).view(outF, inF);

    [Theory]
    [InlineData(FourBitType.Nf4, true)]
    [InlineData(FourBitType.Nf4, false)]
    [InlineData(FourBitType.Fp4, true)]
    public void The_dense_weight_is_the_reference_round_trip_of_the_original(FourBitType type, bool doubleQuant)
    {
        var original = TestWeights.WithHardBlocks(5).Take(38 * 65).Select(v => Math.Clamp(v, -4f, 4f)).ToArray();   // 38·65 = 2470: a short last block
        var book = type == FourBitType.Nf4 ? ReferenceQuantizer.Nf4 : ReferenceQuantizer.Fp4();
        var (codes, absmax) = ReferenceQuantizer.Quantize(original, book, 64);
        if (doubleQuant)
        {
            var (scaleCodes, nested, offset) = ReferenceQuantizer.DoubleQuantize(absmax);
            absmax = ReferenceQuantizer.DoubleDequantize(scaleCodes, nested, offset);
        }
        var expected = ReferenceQuantizer.Dequantize(codes, absmax, book, 64);

        using var w = tensor(original).view(38, 65);
        using var layer = QuantizedLinear.Quantize(new DenseWeights(w), new QuantizationOptions { Type = type, DoubleQuant = doubleQuant });
        using var dense = layer.DenseWeight();

        Assert.Equal(new long[] { 38, 65 }, dense.shape);
        BlockwiseQuantizationTests.AssertClose(expected, dense.data<float>().ToArray());
        var packed = layer.weight.data<byte>().ToArray();
        Assert.Equal(1235, packed.Length);
        Assert.All(Enumerable.Range(0, 1235), i => Assert.Equal(codes[2 * i] * 16 + codes[2 * i + 1], packed[i]));
    }

    [Fact]
    public void The_forward_pass_is_a_linear_layer_with_the_dequantized_weight_and_the_bias()
    {
        using var w = RandomWeight(48, 32, seed: 1);
        using var b = tensor(TestWeights.Gaussian(48, seed: 2));
        using var layer = QuantizedLinear.Quantize(new DenseWeights(w, b), new QuantizationOptions());
        using var x = randn([2, 5, 32], generator: new Generator(3));

        using var y = layer.call(x);
        using var dense = layer.DenseWeight();
        using var expected = nn.functional.linear(x, dense, b);

        Assert.Equal(new long[] { 2, 5, 48 }, y.shape);
        Assert.True(allclose(expected, y, rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void Gradients_reach_the_input_as_through_the_dequantized_weight()
    {
        using var w = RandomWeight(48, 32, seed: 4);
        using var b = tensor(TestWeights.Gaussian(48, seed: 5));
        using var layer = QuantizedLinear.Quantize(new DenseWeights(w, b), new QuantizationOptions());
        using var upstream = randn([3, 48], generator: new Generator(6));
        using var x = randn([3, 32], generator: new Generator(7)).requires_grad_(true);
        using var xDense = x.detach().clone().requires_grad_(true);
        using var dense = layer.DenseWeight();

        using (var y = layer.call(x)) using (var loss = (y * upstream).sum()) loss.backward();
        using (var y = nn.functional.linear(xDense, dense, b)) using (var loss = (y * upstream).sum()) loss.backward();

        Assert.True(allclose(xDense.grad!, x.grad!, rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void Codes_and_scales_are_buffers_and_the_weights_take_at_most_053_bytes_per_parameter()
    {
        using var w = RandomWeight(96, 160, seed: 8);
        using var layer = QuantizedLinear.Quantize(new DenseWeights(w), new QuantizationOptions());

        long bytes = layer.parameters().Concat(layer.buffers()).Sum(t => t.numel() * t.ElementSize);

        Assert.Empty(layer.parameters());
        Assert.Equal(4, layer.buffers().Count());
        Assert.Equal(ScalarType.Byte, layer.weight.dtype);
        Assert.Equal(ScalarType.Byte, layer.absmax.dtype);
        // 96·160/2 code bytes + 240 scale codes + one float32 per 256 scales + the float32 mean.
        Assert.Equal(96 * 160 / 2 + 240 + 4 + 4, bytes);
        Assert.True(bytes / (96.0 * 160) <= 0.53);
    }

    [Fact]
    public void A_bfloat16_layer_dequantizes_and_computes_in_bfloat16()
    {
        using var w = RandomWeight(16, 64, seed: 9).to(ScalarType.BFloat16);
        using var layer = QuantizedLinear.Quantize(new DenseWeights(w), new QuantizationOptions());
        using var x = randn([2, 64], ScalarType.BFloat16, generator: new Generator(10));

        using var y = layer.call(x);
        using var dense = layer.DenseWeight();

        Assert.Equal(ScalarType.BFloat16, dense.dtype);
        Assert.Equal(ScalarType.BFloat16, y.dtype);
    }

    [Fact]
    public void A_weight_with_nan_or_infinity_is_refused_with_its_shape_and_count()
    {
        using var w = RandomWeight(4, 64, seed: 11);
        w[1, 2] = tensor(float.NaN);
        w[3, 0] = tensor(float.PositiveInfinity);

        var error = Assert.Throws<ArgumentException>(() => QuantizedLinear.Quantize(new DenseWeights(w), new QuantizationOptions()));

        Assert.Contains("(4, 64) weight with 2 NaN or infinite values", error.Message);
    }
}
