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

    /// <param name="q">(B, nH, T, hD)</param>
    /// <param name="k">(B, nKV, Tk, hD)</param>
    /// <param name="v">(B, nKV, Tk, hD)</param>
    /// <param name="mask">(B or 1, 1, T, Tk) boolean, true where a query may attend a key; null for causal attention with T = Tk.</param>
    /// <returns>(B, nH, T, hD)</returns>
    public static Tensor Forward(Tensor q, Tensor k, Tensor v, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        long B = q.shape[0], nH = q.shape[1], T = q.shape[2], hD = q.shape[3], nKV = k.shape[1], Tk = k.shape[2];
        long groups = nH / nKV;
        var grouped = (q * (1 / Math.Sqrt(hD))).reshape(B, nKV, groups * T, hD);               // (B, nKV, g·T, hD)
        var scores = grouped.matmul(k.transpose(2, 3));                                           // (B, nKV, g·T, Tk)
        // In place: the product is not saved for its backward pass, so the mask costs no second (B, nKV, g·T, Tk) tensor.
        scores.view(B, nKV, groups, T, Tk).add_(AdditiveMask(mask, T, Tk, q.dtype, q.device));  // (B, nKV, g, T, Tk)
        var y = scores.softmax(-1).matmul(v);                                                     // (B, nKV, g·T, hD)
        return y.view(B, nH, T, hD).MoveToOuterDisposeScope();
    }

    /// <summary>0 where a query may attend, −∞ elsewhere: (B or 1, 1, 1, T, Tk), broadcast over KV heads and groups.</summary>
    static Tensor AdditiveMask(Tensor? mask, long T, long Tk, ScalarType dtype, Device device)
    {
        var blocked = mask is null
            ? ones(T, Tk, ScalarType.Bool, device).triu(1).view(1, 1, 1, T, Tk)
            : mask.logical_not().unsqueeze(1);
        return zeros(blocked.shape, dtype, device).masked_fill_(blocked, double.NegativeInfinity);
    }
}
