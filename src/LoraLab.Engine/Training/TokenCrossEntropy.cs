using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Training;

/// <summary>
/// Summed cross-entropy of (N, V) logits against (N) targets (−100 ignored) as one autograd function that works through
/// the logits a block of rows at a time in float32. It keeps only the logits themselves and each row's log-sum-exp
/// for the backward pass, which writes the gradient (softmax − one-hot) straight in the logits' dtype; the composed
/// version (float32 copy, log-softmax, NLL) keeps a float32 (N, V) tensor and makes two more in the backward pass.
/// With a 49k vocabulary that is 200 MB per thousand tokens, and as many full passes over memory.
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
        long N = logits.shape[0];
        var logSumExp = empty(N, ScalarType.Float32, logits.device);   // (N)
        var total = zeros(1, ScalarType.Float32, logits.device);
        foreach (var (start, rows) in Blocks(logits))
        {
            using var scope = NewDisposeScope();
            var x = logits.narrow(0, start, rows).to(ScalarType.Float32);        // (n, V)
            var t = targets.narrow(0, start, rows);                              // (n)
            var counted = t.ne(CausalLmLoss.IgnoreIndex);                        // (n)
            var lse = x.logsumexp(1);                                            // (n)
            var picked = x.gather(1, t.clamp_min(0).unsqueeze(1)).squeeze(1);    // (n)
            logSumExp.narrow(0, start, rows).copy_(lse);
            total.add_((lse - picked).masked_fill(counted.logical_not(), 0).sum());
        }
        ctx.save_for_backward([logits, targets, logSumExp]);
        return total.squeeze();
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var (logits, targets, logSumExp) = (saved[0], saved[1], saved[2]);
        var grad = empty_like(logits);                                           // (N, V)
        using (var noGrad = no_grad())
            foreach (var (start, rows) in Blocks(logits))
            {
                using var scope = NewDisposeScope();
                var t = targets.narrow(0, start, rows);                          // (n)
                var weight = t.ne(CausalLmLoss.IgnoreIndex).to(ScalarType.Float32).mul_(gradOutput).unsqueeze(1);   // (n, 1)
                var x = logits.narrow(0, start, rows).to(ScalarType.Float32);                                       // (n, V)
                var p = (x - logSumExp.narrow(0, start, rows).unsqueeze(1)).exp_();                                 // (n, V) softmax
                p.scatter_add_(1, t.clamp_min(0).unsqueeze(1), full(rows, 1, -1f, ScalarType.Float32, p.device));
                grad.narrow(0, start, rows).copy_(p.mul_(weight));
            }
        return [grad, null!];
    }

    static IEnumerable<(long Start, long Rows)> Blocks(Tensor logits)
    {
        long N = logits.shape[0], rows = Math.Max(1, BlockElements / logits.shape[1]);
        for (long start = 0; start < N; start += rows) yield return (start, Math.Min(rows, N - start));
    }
}
