using static TorchSharp.torch;

namespace LoraLab.Engine.Generation;

/// <summary>
/// Chooses the next token of every row as transformers' generate does: the repetition penalty, then argmax when
/// greedy, otherwise temperature, top-k, top-p and a draw from the softmax with a seeded generator.
/// </summary>
public sealed class TokenSampler : IDisposable
{
    readonly SamplingOptions options;
    readonly Generator? generator;

    public TokenSampler(SamplingOptions options, Device device)
    {
        this.options = options;
        if (!options.IsGreedy)
            generator = new Generator(unchecked((ulong)(options.Seed ?? Random.Shared.NextInt64())), device);
    }

    /// <param name="logits">(B, V) next-token logits of any float dtype.</param>
    /// <param name="seen">(B, V) boolean ids seen so far per row; needed only with a repetition penalty.</param>
    /// <returns>(B) int64 token ids.</returns>
    public Tensor Next(Tensor logits, Tensor? seen)
    {
        using var scope = NewDisposeScope();
        var scores = logits.to(ScalarType.Float32);   // (B, V)
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

    public void Dispose() => generator?.Dispose();
}
