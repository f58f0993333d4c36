using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Models;

/// <summary>RMSNorm and the rotary embedding write their gradients out by hand; autograd over the plain formula checks them.</summary>
public class HandWrittenGradientTests
{
    [Theory]
    [InlineData(ScalarType.Float32, 1e-5)]
    [InlineData(ScalarType.BFloat16, 2e-2)]
    public void Rms_norm_gradients_of_input_and_weight_match_autograd_over_the_formula_in_float64(ScalarType dtype, double tolerance)
    {
        var g = new Generator(5);
        var x64 = randn([2, 3, 16], ScalarType.Float64, generator: g) * 2;
        var weight64 = randn([16], ScalarType.Float64, generator: g);
        var upstream = randn([2, 3, 16], ScalarType.Float64, generator: g);
        var norm = new RmsNorm(16, 1e-5, CPU, dtype);
        using (no_grad()) norm.weight.copy_(weight64);
        var x = x64.to(dtype).requires_grad_(true);
        var reference = x.detach().to(ScalarType.Float64).requires_grad_(true);
        var referenceWeight = norm.weight.detach().to(ScalarType.Float64).requires_grad_(true);

        (norm.call(x).to(ScalarType.Float64) * upstream).sum().backward();
        (referenceWeight * reference / (reference.pow(2).mean([-1], keepdim: true) + 1e-5).sqrt() * upstream).sum().backward();

        Assert.True(x.grad!.to(ScalarType.Float64).allclose(reference.grad!, rtol: tolerance, atol: tolerance), "input gradients differ");
        Assert.True(norm.weight.grad!.to(ScalarType.Float64).allclose(referenceWeight.grad!, rtol: tolerance, atol: tolerance), "weight gradients differ");
    }

    [Fact]
    public void A_frozen_rms_norm_weight_gets_no_gradient_and_the_input_still_does()
    {
        var norm = new RmsNorm(8, 1e-5, CPU, ScalarType.Float32);
        norm.weight.requires_grad_(false);
        var x = randn([4, 8], generator: new Generator(6)).requires_grad_(true);

        norm.call(x).sum().backward();

        Assert.Null(norm.weight.grad);
        Assert.NotNull(x.grad);
    }

    [Fact]
    public void The_rotary_gradient_matches_autograd_over_rotate_half_in_float64()
    {
        var g = new Generator(7);
        const int hD = 8;
        var positions = arange(5).unsqueeze(0).expand(2, 5);                                                   // (B, T)
        var inverse = tensor(RotaryEmbedding.InverseFrequencies(hD, 10000, null), ScalarType.Float32);
        var (cos, sin) = RotaryEmbedding.CosSin(positions, inverse, ScalarType.Float64);                      // (B, 1, T, hD)
        var x = randn([2, 3, 5, hD], ScalarType.Float64, generator: g).requires_grad_(true);                  // (B, H, T, hD)
        var reference = x.detach().clone().requires_grad_(true);
        var upstream = randn([2, 3, 5, hD], ScalarType.Float64, generator: g);

        var y = RotaryEmbedding.Apply(x, cos, sin);
        var rotated = cat([-reference.narrow(-1, hD / 2, hD / 2), reference.narrow(-1, 0, hD / 2)], -1);
        var expected = reference * cos + rotated * sin;
        (y * upstream).sum().backward();
        (expected * upstream).sum().backward();

        Assert.True(y.allclose(expected, rtol: 1e-12, atol: 1e-12), "outputs differ");
        Assert.True(x.grad!.allclose(reference.grad!, rtol: 1e-12, atol: 1e-12), "gradients differ");
    }
}
