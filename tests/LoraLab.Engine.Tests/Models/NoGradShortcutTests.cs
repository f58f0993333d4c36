using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Models;

/// <summary>Under no_grad RMSNorm and the rotary embedding skip their autograd functions; the arithmetic is the same operations.</summary>
public class NoGradShortcutTests
{
    [Fact]
    public void Rms_norm_under_no_grad_gives_exactly_what_its_autograd_function_gives()
    {
        var norm = new RmsNorm(16, 1e-5, CPU, ScalarType.Float32);
        using (no_grad()) norm.weight.copy_(randn([16], generator: new Generator(21)));
        var x = randn([2, 3, 16], generator: new Generator(22));

        var recorded = norm.call(x);
        Tensor shortcut;
        using (no_grad()) shortcut = norm.call(x);

        Assert.True(recorded.requires_grad, "the function is recorded for the backward pass");
        Assert.True(shortcut.eq(recorded.detach()).all().item<bool>(), "outputs differ");
    }

    [Fact]
    public void The_rotary_embedding_under_no_grad_gives_exactly_what_its_autograd_function_gives()
    {
        var positions = arange(5).unsqueeze(0).expand(2, 5);                                                   // (B, T)
        var inverse = tensor(RotaryEmbedding.InverseFrequencies(8, 10000, null), ScalarType.Float32);
        var (cos, sin) = RotaryEmbedding.CosSin(positions, inverse, ScalarType.Float32);                      // (B, 1, T, hD)
        var x = randn([2, 3, 5, 8], generator: new Generator(23)).requires_grad_(true);                        // (B, H, T, hD)

        var recorded = RotaryEmbedding.Apply(x, cos, sin);
        Tensor shortcut;
        using (no_grad()) shortcut = RotaryEmbedding.Apply(x, cos, sin);

        Assert.True(recorded.requires_grad, "the function is recorded for the backward pass");
        Assert.True(shortcut.eq(recorded.detach()).all().item<bool>(), "outputs differ");
    }
}
