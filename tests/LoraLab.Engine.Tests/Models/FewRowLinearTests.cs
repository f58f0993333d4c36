using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Models;

public class FewRowLinearTests
{
    /// <summary>
    /// The classic bound of a float32 dot product of n terms summed in any order, with or without fused multiply-adds
    /// (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §3.1): |fl(Σ w·x) − Σ w·x| ≤ γₙ Σ |w·x|, with
    /// γₙ = n·u/(1 − n·u) and u = 2⁻²⁴. The bias is one more term. The float64 reference adds its own error of the same
    /// form with u = 2⁻⁵³, negligible beside it but included.
    /// </summary>
    static Tensor ErrorBound(Tensor x64, Tensor w64, Tensor b64)
    {
        long n = w64.shape[1] + 1;
        double Gamma(double u) => n * u / (1 - n * u);
        var magnitude = x64.abs().matmul(w64.abs().t()) + b64.abs();                 // (M, out) Σ |w·x| + |b|
        return magnitude * (Gamma(Math.Pow(2, -24)) + Gamma(Math.Pow(2, -53)));
    }

    [Theory]
    [InlineData(1, 576, 1536)]   // one decode row, split over the helper threads
    [InlineData(4, 576, 300)]    // one pass of four rows; rows not a multiple of the chunk's 16
    [InlineData(7, 37, 20)]      // four rows, a pair and a single one; a tail of the 8 lanes
    [InlineData(4, 27, 20)]      // four rows: 16 lanes, then 8, then 3 single ones
    [InlineData(2, 27, 20)]      // a pair: 16 lanes, then 8, then 3 single ones
    [InlineData(8, 1536, 576)]
    public void A_few_row_product_equals_the_float64_product_within_the_float32_dot_product_bound(int rows, int inFeatures, int outFeatures)
    {
        var g = new Generator(11);
        var x = randn([rows, inFeatures], generator: g);
        var layer = new LinearLayer(inFeatures, outFeatures, hasBias: true, CPU, ScalarType.Float32);
        using (no_grad())
        {
            layer.weight.copy_(randn([outFeatures, inFeatures], generator: g));
            layer.bias!.copy_(randn([outFeatures], generator: g));
        }
        var (x64, w64, b64) = (x.to(ScalarType.Float64), layer.weight.detach().to(ScalarType.Float64), layer.bias!.detach().to(ScalarType.Float64));

        Tensor y;
        using (no_grad())
        {
            Assert.True(FewRowLinear.Applies(x, layer.weight, layer.bias), "a few float32 rows without gradients take the few-row path");
            y = layer.call(x.view(1, rows, inFeatures));                                                           // (1, M, out)
        }

        var error = (y.view(rows, outFeatures).to(ScalarType.Float64) - (x64.matmul(w64.t()) + b64)).abs();
        Assert.Equal([1L, rows, outFeatures], y.shape);
        Assert.True(error.le(ErrorBound(x64, w64, b64)).all().item<bool>(), $"largest error {error.max().item<double>():E2}");
    }

    [Fact]
    public void Products_that_need_a_gradient_or_have_many_rows_stay_with_libtorch()
    {
        var layer = new LinearLayer(16, 8, hasBias: false, CPU, ScalarType.Float32);
        var x = randn([1, 16], generator: new Generator(12));

        Assert.False(FewRowLinear.Applies(x, layer.weight, null), "the weight wants a gradient while autograd records");
        var y = layer.call(x);
        Assert.True(y.requires_grad, "the product is recorded for the backward pass");
        using (no_grad())
        {
            Assert.False(FewRowLinear.Applies(randn([FewRowLinear.MaxRows + 1, 16]), layer.weight, null), "more rows than a decode step's");
            Assert.False(FewRowLinear.Applies(x.to(ScalarType.Float64), layer.weight.to(ScalarType.Float64), null), "only float32");
        }
    }
}
