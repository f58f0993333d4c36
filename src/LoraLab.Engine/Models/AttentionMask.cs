using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>Builds the boolean mask (true = may attend) that scaled_dot_product_attention takes.</summary>
public static class AttentionMask
{
    /// <summary>
    /// Returns null when no mask is needed: plain causal attention over a fresh sequence (the fast <c>is_causal</c> path)
    /// or a single query token over an unpadded cache.
    /// Otherwise a (B, 1, T, Tk) mask: query i (absolute position past + i) sees key j when j ≤ past + i, the key is
    /// not padding, and (with a sliding window w) j > past + i − w. Every query also sees its own key, so that a
    /// padding row is never fully masked (a fully masked row would put NaN into later layers).
    /// </summary>
    /// <param name="keyIsReal">(B, Tk) 1 for real tokens, 0 for padding; null when there is none.</param>
    /// <param name="restriction">(B or 1, 1, T, Tk) boolean mask that further restricts attention (e.g. the block-diagonal
    /// mask of packed sequences); causality, padding and the window still apply.</param>
    public static Tensor? Build(long batch, long queryLength, long pastLength, Tensor? keyIsReal, int? slidingWindow, Device device, Tensor? restriction = null)
    {
        long keyLength = pastLength + queryLength;
        bool windowBites = slidingWindow is { } w && keyLength > w;
        bool plainCausal = pastLength == 0 || queryLength == 1;   // one query token may see every cached key
        if (keyIsReal is null && restriction is null && plainCausal && !windowBites) return null;

        using var scope = NewDisposeScope();
        var queryPos = arange(pastLength, keyLength, device: device).unsqueeze(1);   // (T, 1)
        var keyPos = arange(0, keyLength, device: device).unsqueeze(0);              // (1, Tk)
        var allowed = keyPos <= queryPos;                                            // (T, Tk)
        if (windowBites) allowed = allowed & (keyPos > queryPos - slidingWindow!.Value);
        var mask = allowed.unsqueeze(0).unsqueeze(0).expand(batch, 1, queryLength, keyLength); // (B, 1, T, Tk)
        if (keyIsReal is not null)
            mask = mask & keyIsReal.to(ScalarType.Bool).view(batch, 1, 1, keyLength);
        if (restriction is not null)
            mask = mask & Checked(restriction, batch, queryLength, keyLength);
        mask = mask | (keyPos == queryPos).view(1, 1, queryLength, keyLength);
        return mask.MoveToOuterDisposeScope();
    }

    static Tensor Checked(Tensor restriction, long batch, long queryLength, long keyLength)
    {
        var shape = restriction.shape;
        bool fits = shape.Length == 4 && (shape[0] == batch || shape[0] == 1) && shape[1] == 1 && shape[2] == queryLength && shape[3] == keyLength;
        if (!fits || restriction.dtype != ScalarType.Bool)
            throw new ArgumentException(
                $"attentionMask must be a bool tensor of shape ({batch}, 1, {queryLength}, {keyLength}), or 1 on the first axis, not ({string.Join(", ", shape)}) {restriction.dtype}", nameof(restriction));
        return restriction;
    }
}
