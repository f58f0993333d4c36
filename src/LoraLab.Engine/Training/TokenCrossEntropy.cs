using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Training;

/// <summary>
/// Summed cross-entropy of (N, V) logits against (N) targets (−100 ignored) as one autograd function that works through
/// the logits a block of rows at a time in float32. The gradient (softmax − one-hot) is linear in the upstream
/// gradient, a scalar, so when the logits need one it is written in the logits' dtype during the forward pass, from the
/// block that is already in cache, and the backward pass only scales it; the logits themselves are not kept. The
/// composed version (float32 copy, log-softmax, NLL) keeps a float32 (N, V) tensor and makes two more in the backward
/// pass: with a 49k vocabulary that is 200 MB per thousand tokens, and as many full passes over memory.
/// </summary>
public sealed class TokenCrossEntropy : autograd.SingleTensorFunction<TokenCrossEntropy>
{
    /// <summary>Rows per block: about 2M float32 logits, which stays in the last-level cache.</summary>
    const long BlockElements = 1 << 21;

    public override string Name => nameof(TokenCrossEntropy);

    /// <param name="logits">(N, V), contiguous, any float dtype.</param>
    /// <param name="targets">(N) int64 class indices, or <see cref="CausalLmLoss.IgnoreIndex"/>.</param>
    /// <returns>The float32 scalar Σ over counted rows of logsumexp(logits) − logits[target].</returns>
    public static Tensor Sum(Tensor logits, Tensor targets) => apply(logits, targets);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (logits, targets) = ((Tensor)vars[0], (Tensor)vars[1]);
        var grad = logits.requires_grad ? empty_like(logits) : null;   // (N, V)
        var total = zeros(1, ScalarType.Float32, logits.device);
        foreach (var (start, rows) in Blocks(logits))
        {
            using var scope = NewDisposeScope();
            var block = logits.narrow(0, start, rows);                                           // (n, V)
            var t = targets.narrow(0, start, rows).unsqueeze(1);                                 // (n, 1)
            var counted = t.ne(CausalLmLoss.IgnoreIndex);                                        // (n, 1)
            var index = t.clamp_min(0);                                                          // (n, 1)
            // A float32 copy even of float32 logits: it is worked on in place.
            var e = block.to(ScalarType.Float32, copy: true);                                    // (n, V)
            var max = e.amax([1], keepdim: true);                                                // (n, 1)
            var sum = e.sub_(max).exp_().sum(1, keepdim: true);                                  // (n, 1); e = exp(x − max)
            var logSumExp = max + sum.log();                                                     // (n, 1)
            var picked = block.gather(1, index).to(ScalarType.Float32);                          // (n, 1)
            total.add_((logSumExp - picked).masked_fill_(counted.logical_not(), 0).sum());
            if (grad is null) continue;
            e.div_(sum).scatter_add_(1, index, full(rows, 1, -1f, ScalarType.Float32, e.device)).mul_(counted);   // softmax − one-hot
            grad.narrow(0, start, rows).copy_(e);
        }
        if (grad is not null) ctx.save_for_backward([grad]);
        return total.squeeze();
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        // In place: the saved gradient is this function's own and the graph is run once.
        var grad = ctx.get_saved_variables()[0].mul_(gradOutput);
        return [grad, null!];
    }

    static IEnumerable<(long Start, long Rows)> Blocks(Tensor logits)
    {
        long N = logits.shape[0], rows = Math.Max(1, BlockElements / logits.shape[1]);
        for (long start = 0; start < N; start += rows) yield return (start, Math.Min(rows, N - start));
    }
}
