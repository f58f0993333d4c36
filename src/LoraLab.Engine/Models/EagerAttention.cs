using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>
/// Attention with the scores written out, as transformers' eager_attention_forward: softmax(q·kᵀ/√d + mask)·v. The
/// query heads of each KV group are stacked along the query axis, so keys and values are never repeated.
/// </summary>
public static class EagerAttention
{
    /// <summary>Query × key positions up to which the scores are written out: 512 × 512.</summary>
    public const long ScoreLimit = 512 * 512;

    /// <summary>
    /// Whether to use this rather than libtorch's fused attention: in bf16 and fp16, where the fused CPU kernel is slow
    /// (above all its backward pass) and this is about twice as fast, as long as the scores it keeps for the backward
    /// pass, T·Tk per head, stay within <see cref="ScoreLimit"/>; longer sequences stay fused, whose memory grows with T only.
    /// </summary>
    public static bool Preferred(ScalarType dtype, long queries, long keys) =>
        dtype is ScalarType.BFloat16 or ScalarType.Float16 && queries * keys <= ScoreLimit;

    /// <summary>
    /// Attention probabilities kept per query and head for causal attention over <paramref name="length"/> tokens:
    /// half·half for the first half of the queries and (T − half)·T for the rest (see <see cref="Forward"/>), about 3T/4.
    /// </summary>
    public static double CausalScoresPerQuery(long length)
    {
        long half = length / 2;
        return (half * half + (length - half) * (double)length) / length;
    }

    /// <param name="q">(B, nH, T, hD)</param>
    /// <param name="k">(B, nKV, Tk, hD)</param>
    /// <param name="v">(B, nKV, Tk, hD)</param>
    /// <param name="mask">(B or 1, 1, T, Tk) boolean, true where a query may attend a key; null for causal attention with T = Tk.</param>
    /// <returns>(B, nH, T, hD)</returns>
    public static Tensor Forward(Tensor q, Tensor k, Tensor v, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        long T = q.shape[2], Tk = k.shape[2];
        if (mask is not null) return Block(q, k, v, Additive(mask.logical_not().unsqueeze(1), q)).MoveToOuterDisposeScope();
        if (T < 2) return Block(q, k, v, CausalMask(T, Tk, 0, q)).MoveToOuterDisposeScope();

        // Causal: the first half of the queries sees only the first half of the keys, which saves a quarter of the
        // products and of the probabilities kept.
        long half = T / 2;
        var first = Block(q.narrow(2, 0, half), k.narrow(2, 0, half), v.narrow(2, 0, half), CausalMask(half, half, 0, q));
        var second = Block(q.narrow(2, half, T - half), k, v, CausalMask(T - half, Tk, half, q));
        return cat([first, second], dim: 2).MoveToOuterDisposeScope();                   // (B, nH, T, hD)
    }

    /// <param name="q">(B, nH, Tq, hD)</param>
    /// <param name="k">(B, nKV, Tk, hD)</param>
    /// <param name="v">(B, nKV, Tk, hD)</param>
    /// <param name="mask">0 or −∞, (B or 1, 1, 1, Tq, Tk)</param>
    /// <returns>(B, nH, Tq, hD)</returns>
    static Tensor Block(Tensor q, Tensor k, Tensor v, Tensor mask)
    {
        long B = q.shape[0], nH = q.shape[1], Tq = q.shape[2], hD = q.shape[3], nKV = k.shape[1], Tk = k.shape[2];
        long groups = nH / nKV;
        var grouped = (q * (1 / Math.Sqrt(hD))).reshape(B, nKV, groups * Tq, hD);             // (B, nKV, g·Tq, hD)
        var scores = grouped.matmul(k.transpose(2, 3));                                         // (B, nKV, g·Tq, Tk)
        // In place: the product is not saved for its backward pass, so the mask costs no second score tensor.
        scores.view(B, nKV, groups, Tq, Tk).add_(mask);                                         // (B, nKV, g, Tq, Tk)
        return scores.softmax(-1).matmul(v).view(B, nH, Tq, hD);
    }

    /// <summary>Query i (at position offset + i) may attend key j ≤ offset + i: (1, 1, 1, Tq, Tk) of 0 and −∞.</summary>
    static Tensor CausalMask(long queries, long keys, long offset, Tensor like) =>
        Additive(ones(queries, keys, ScalarType.Bool, like.device).triu(1 + offset).view(1, 1, 1, queries, keys), like);

    /// <summary>−∞ where <paramref name="blocked"/>, 0 elsewhere, in the dtype of <paramref name="like"/>.</summary>
    static Tensor Additive(Tensor blocked, Tensor like) =>
        zeros(blocked.shape, like.dtype, like.device).masked_fill_(blocked, double.NegativeInfinity);
}
