using static TorchSharp.torch;

namespace LoraLab.Engine.Data;

/// <summary>
/// The block-diagonal causal mask of packed sequences (true = may attend): token i sees token j when j ≤ i and both
/// belong to the same segment. Padding shares segment −1, so each padding token sees at least itself and no row is
/// fully masked (which would put NaN into later layers).
/// </summary>
public static class PackedAttentionMask
{
    /// <returns>(T, T)</returns>
    public static bool[,] Build(IReadOnlyList<int> segmentIds)
    {
        int length = segmentIds.Count;
        var mask = new bool[length, length];
        for (int i = 0; i < length; i++)
            for (int j = 0; j <= i; j++)
                mask[i, j] = segmentIds[i] == segmentIds[j];
        return mask;
    }

    /// <param name="segmentIds">(B, T) integer segment ids.</param>
    /// <returns>(B, 1, T, T) boolean, for <c>CausalLM.Forward</c>'s attentionMask.</returns>
    public static Tensor ForBatch(Tensor segmentIds)
    {
        using var scope = NewDisposeScope();
        long T = segmentIds.shape[1];
        var sameSegment = segmentIds.unsqueeze(2) == segmentIds.unsqueeze(1);   // (B, T, T)
        var causal = ones(T, T, ScalarType.Bool, segmentIds.device).tril();     // (T, T)
        return (sameSegment & causal).unsqueeze(1).MoveToOuterDisposeScope();   // (B, 1, T, T)
    }
}
