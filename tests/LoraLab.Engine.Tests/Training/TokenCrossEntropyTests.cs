using LoraLab.Engine.Training;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Training;

public class TokenCrossEntropyTests
{
    [Theory]
    [InlineData(ScalarType.Float32, 1e-5)]
    [InlineData(ScalarType.BFloat16, 1e-2)]
    public void Loss_and_gradient_match_cross_entropy_recomputed_in_float64(ScalarType dtype, double tolerance)
    {
        var generator = new Generator(1);
        // 2M elements per block over 100k columns makes blocks of 20 rows, so 45 rows span three blocks.
        var logits64 = randn(45, 100_000, ScalarType.Float64, generator: generator) * 3;
        var targets = randint(0, 100_000, [45], generator: generator);
        targets[3] = CausalLmLoss.IgnoreIndex;
        targets[44] = CausalLmLoss.IgnoreIndex;
        var logits = logits64.to(dtype).requires_grad_(true);
        var reference = logits.detach().to(ScalarType.Float64).requires_grad_(true);

        var loss = TokenCrossEntropy.Sum(logits, targets);
        (loss * 0.5).backward();
        var expected = nn.functional.cross_entropy(reference, targets, reduction: nn.Reduction.Sum);
        (expected * 0.5).backward();

        Assert.Equal(ScalarType.Float32, loss.dtype);
        Assert.Equal(expected.item<double>(), loss.item<float>(), expected.item<double>() * 1e-6);
        Assert.Equal(dtype, logits.grad!.dtype);
        Assert.True(logits.grad!.to(ScalarType.Float64).allclose(reference.grad!, rtol: tolerance, atol: tolerance * 1e-3));
        Assert.Equal(0, logits.grad![3].abs().sum().to(ScalarType.Float32).item<float>());
    }
}
