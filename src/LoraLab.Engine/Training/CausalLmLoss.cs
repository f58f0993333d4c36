using static TorchSharp.torch;

namespace LoraLab.Engine.Training;

/// <summary>
/// Next-token cross-entropy as transformers' ForCausalLMLoss: labels are aligned with the input ids, position t's
/// logits predict label t + 1, and labels of −100 (prompt, padding) are ignored. Computed in float32 by
/// <see cref="TokenCrossEntropy"/>.
/// </summary>
public static class CausalLmLoss
{
    public const long IgnoreIndex = -100;

    /// <summary>The summed (not averaged) cross-entropy over the predicted tokens, a float32 scalar.</summary>
    /// <param name="logits">(B, T, V) in any float dtype.</param>
    /// <param name="labels">(B, T) token ids, −100 where nothing is predicted.</param>
    public static Tensor Sum(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        long B = logits.shape[0], T = logits.shape[1], V = logits.shape[2];
        // Shifting the labels rather than the logits avoids copying the (B, T, V) logits.
        var targets = Shifted(labels);                                                          // (B, T)
        return TokenCrossEntropy.Sum(logits.reshape(B * T, V), targets.reshape(B * T)).MoveToOuterDisposeScope();
    }

    /// <summary>How many tokens <paramref name="labels"/> (B, T) asks to predict: labels after the first position that are not −100.</summary>
    public static long PredictedTokens(Tensor labels)
    {
        using var scope = NewDisposeScope();
        return labels.narrow(1, 1, labels.shape[1] - 1).ne(IgnoreIndex).sum().item<long>();
    }

    /// <summary>labels[:, 1:] followed by −100: the target of every position.</summary>
    static Tensor Shifted(Tensor labels)
    {
        long B = labels.shape[0], T = labels.shape[1];
        var pad = full(B, 1, IgnoreIndex, ScalarType.Int64, labels.device);                    // (B, 1)
        return cat([labels.narrow(1, 1, T - 1).to(ScalarType.Int64), pad], dim: 1);            // (B, T)
    }
}
