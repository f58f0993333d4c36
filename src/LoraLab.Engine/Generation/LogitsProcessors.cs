using static TorchSharp.torch;

namespace LoraLab.Engine.Generation;

/// <summary>
/// The logits processors of Hugging Face transformers, as pure functions on (B, V) float32 logits.
/// <see cref="TokenSampler"/> applies them in transformers' order: logit bias, repetition penalty, temperature, top-k, top-p.
/// </summary>
public static class LogitsProcessors
{
    /// <summary>
    /// OpenAI's <c>logit_bias</c> (transformers' SequenceBiasLogitsProcessor for one-token sequences): adds bias[id] to
    /// column id of every row; −100 all but bans a token, +100 all but forces it.
    /// </summary>
    public static Tensor Bias(Tensor logits, IReadOnlyDictionary<int, double> bias)
    {
        using var scope = NewDisposeScope();
        long V = logits.shape[^1];
        if (bias.Keys.FirstOrDefault(id => id >= V, -1) is var outside and >= 0)
            throw new ArgumentException($"logit_bias names token {outside}, but the vocabulary has {V} tokens (0 … {V - 1}).");
        var ids = tensor(bias.Keys.Select(id => (long)id).ToArray(), device: logits.device);                       // (K)
        var values = tensor(bias.Values.Select(b => (float)b).ToArray(), device: logits.device).to(logits.dtype);  // (K)
        return logits.index_add(-1, ids, values.expand(logits.shape[0], -1), 1).MoveToOuterDisposeScope();        // (B, V)
    }

    /// <summary>
    /// transformers' RepetitionPenaltyLogitsProcessor: the logit of every token the row has already seen is divided by
    /// the penalty when positive and multiplied by it when negative, so a penalty above 1 always makes it less likely.
    /// </summary>
    /// <param name="seen">(B, V) boolean: true for ids in the row's prompt or generated so far.</param>
    public static Tensor RepetitionPenalty(Tensor logits, Tensor seen, double penalty)
    {
        using var scope = NewDisposeScope();
        var penalised = where(logits < 0, logits * penalty, logits / penalty);   // (B, V)
        return where(seen, penalised, logits).MoveToOuterDisposeScope();
    }

    /// <summary>transformers' TemperatureLogitsWarper.</summary>
    public static Tensor Temperature(Tensor logits, double temperature) => logits / temperature;

    /// <summary>transformers' TopKLogitsWarper: keeps the k highest logits of each row (and any tied with the k-th).</summary>
    public static Tensor TopK(Tensor logits, int k)
    {
        using var scope = NewDisposeScope();
        k = (int)Math.Min(k, logits.shape[^1]);
        var kth = logits.topk(k, dim: -1).values.narrow(-1, k - 1, 1);   // (B, 1)
        return logits.masked_fill(logits < kth, float.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// transformers' TopPLogitsWarper: sorted ascending, the tokens whose cumulative probability is at most 1 − p are
    /// removed; the most probable token always stays.
    /// </summary>
    public static Tensor TopP(Tensor logits, double p)
    {
        using var scope = NewDisposeScope();
        long V = logits.shape[^1];
        var (sorted, order) = logits.sort(dim: -1, descending: false);   // (B, V) ascending
        var cumulative = sorted.softmax(-1).cumsum(-1);                   // (B, V)
        var removeSorted = cumulative.le(1 - p);                          // (B, V) in sorted order
        removeSorted.narrow(-1, V - 1, 1).fill_(false);
        var remove = removeSorted.scatter(-1, order, removeSorted);       // (B, V) in vocabulary order
        return logits.masked_fill(remove, float.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
