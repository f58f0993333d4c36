using static TorchSharp.torch;

namespace LoraLab.Engine.Generation;

/// <summary>
/// Chooses the next token of every row as transformers' generate does: the logit bias and repetition penalty, then argmax when
/// greedy, otherwise temperature, top-k, top-p and a draw from the softmax with a seeded generator. Either one set of
/// options and one generator serve the whole batch, or each row has its own options and generator, so that a row
/// draws the same tokens whatever else is in the batch (side-by-side columns with their own settings and seeds).
/// </summary>
public sealed class TokenSampler : IDisposable
{
    readonly IReadOnlyList<SamplingOptions> options;   // one for the whole batch, or one per row
    readonly Generator?[] generators;

    /// <summary>One set of options for every row, drawn from one generator.</summary>
    public TokenSampler(SamplingOptions options, Device device) : this([options], device) { }

    /// <summary>Row i is sampled with <paramref name="rowOptions"/>[i] and a generator of its own seed.</summary>
    public TokenSampler(IReadOnlyList<SamplingOptions> rowOptions, Device device)
    {
        if (rowOptions.Count == 0) throw new ArgumentException("A sampler needs options for at least one row.");
        options = rowOptions.ToArray();
        generators = options.Select(o => o.IsGreedy ? null : new Generator(unchecked((ulong)(o.Seed ?? Random.Shared.NextInt64())), device)).ToArray();
    }

    /// <param name="logits">(B, V) next-token logits of any float dtype.</param>
    /// <param name="seen">(B, V) boolean ids seen so far per row; needed only with a repetition penalty.</param>
    /// <returns>(B) int64 token ids.</returns>
    public Tensor Next(Tensor logits, Tensor? seen)
    {
        if (options.Count == 1) return Choose(logits, seen, options[0], generators[0]);
        if (logits.shape[0] != options.Count)
            throw new ArgumentException($"The sampler has options for {options.Count} rows, but the logits have {logits.shape[0]}.");
        using var scope = NewDisposeScope();
        var rows = Enumerable.Range(0, options.Count)
            .Select(b => Choose(logits.narrow(0, b, 1), seen?.narrow(0, b, 1), options[b], generators[b]))   // (1) each
            .ToArray();
        return cat(rows, 0).MoveToOuterDisposeScope();   // (B)
    }

    static Tensor Choose(Tensor logits, Tensor? seen, SamplingOptions options, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var scores = logits.to(ScalarType.Float32);   // (B, V)
        if (options.LogitBias.Count > 0) scores = LogitsProcessors.Bias(scores, options.LogitBias);
        if (options.RepetitionPenalty != 1.0)
        {
            ArgumentNullException.ThrowIfNull(seen);
            scores = LogitsProcessors.RepetitionPenalty(scores, seen, options.RepetitionPenalty);
        }
        if (options.IsGreedy) return scores.argmax(-1).MoveToOuterDisposeScope();

        if (options.Temperature != 1.0) scores = LogitsProcessors.Temperature(scores, options.Temperature);
        if (options.TopK > 0) scores = LogitsProcessors.TopK(scores, options.TopK);
        if (options.TopP < 1.0) scores = LogitsProcessors.TopP(scores, options.TopP);
        var probabilities = scores.softmax(-1);   // (B, V)
        return probabilities.multinomial(1, generator: generator).squeeze(-1).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        foreach (var generator in generators) generator?.Dispose();
    }
}
