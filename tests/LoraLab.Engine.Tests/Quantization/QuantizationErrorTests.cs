using LoraLab.Engine.Quantization;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Quantization;

public class QuantizationErrorTests(ITestOutputHelper output)
{
    static double MeanSquaredError(float[] a, float[] b) => a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Average();

    static float[] RoundTrip(float[] weights, CodeBook book)
    {
        using var w = tensor(weights);
        var (codes, absmax) = BlockwiseQuantization.Quantize(w, book, 64);
        using var values = BlockwiseQuantization.Dequantize(codes, absmax, book, 64, ScalarType.Float32);
        codes.Dispose();
        absmax.Dispose();
        return values.data<float>().ToArray();
    }

    [Fact]
    public void On_gaussian_weights_nf4_has_a_smaller_error_than_fp4_and_than_symmetric_int4()
    {
        var weights = TestWeights.Gaussian(64 * 1024, seed: 7, std: 0.02);

        double nf4 = MeanSquaredError(weights, RoundTrip(weights, CodeBook.Nf4));
        double fp4 = MeanSquaredError(weights, RoundTrip(weights, CodeBook.Fp4));
        double int4 = MeanSquaredError(weights, ReferenceQuantizer.Int4RoundTrip(weights, 64));
        output.WriteLine($"Mean squared error on N(0, 0.02²) in blocks of 64: NF4 {nf4:E3}, FP4 {fp4:E3}, int4 {int4:E3}");

        Assert.True(nf4 < fp4, $"NF4 {nf4:E3} should beat FP4 {fp4:E3}.");
        Assert.True(nf4 < int4, $"NF4 {nf4:E3} should beat int4 {int4:E3}.");
    }

    [Fact]
    public void Double_quantized_scales_add_little_to_the_nf4_error()
    {
        var weights = TestWeights.Gaussian(64 * 1024, seed: 8, std: 0.02);
        using var w = tensor(weights).view(256, 256);
        using var plain = QuantizedLinear.Quantize(new DenseWeights(w), new QuantizationOptions { DoubleQuant = false });
        using var nested = QuantizedLinear.Quantize(new DenseWeights(w), new QuantizationOptions { DoubleQuant = true });
        using var plainW = plain.DenseWeight();
        using var nestedW = nested.DenseWeight();

        double plainError = MeanSquaredError(weights, plainW.data<float>().ToArray());
        double nestedError = MeanSquaredError(weights, nestedW.data<float>().ToArray());
        output.WriteLine($"NF4 mean squared error: {plainError:E3} with float32 scales, {nestedError:E3} with double-quantized scales");

        Assert.True(nestedError < plainError * 1.05, $"Double quantization raised the error from {plainError:E3} to {nestedError:E3}.");
    }
}
