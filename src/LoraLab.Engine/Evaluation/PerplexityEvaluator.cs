using LoraLab.Engine.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Evaluation;

/// <param name="Loss">Mean next-token cross-entropy in nats, weighted by predicted tokens over all sequences.</param>
/// <param name="Tokens">Predicted positions: every position after the first of each sequence.</param>
public sealed record EvaluationResult(double Loss, double Perplexity, long Tokens, int Sequences);

/// <summary>Token-weighted cross-entropy and perplexity of a model over tokenised sequences.</summary>
public static class PerplexityEvaluator
{
    const long IgnoreIndex = -100;

    /// <param name="tokensPerBatch">Sequences of similar length are right-padded into batches of about this many tokens;
    /// right padding needs no mask, since causal attention never looks ahead at the padding.</param>
    /// <param name="forward">Logits (B, T, V) for ids (B, T); defaults to the plain model (adapters that prepend virtual tokens pass theirs).</param>
    public static EvaluationResult Evaluate(CausalLM lm, IReadOnlyList<IReadOnlyList<int>> sequences, int tokensPerBatch = 4096,
        IProgress<int>? sequencesDone = null, Func<Tensor, Tensor>? forward = null, CancellationToken cancellation = default)
    {
        forward ??= ids => lm.Forward(ids);
        for (int i = 0; i < sequences.Count; i++)
            if (sequences[i].Count > lm.Config.MaxPositionEmbeddings)
                throw new ArgumentException($"Record {i + 1} has {sequences[i].Count} tokens, more than the model's context of {lm.Config.MaxPositionEmbeddings}.");

        var usable = sequences.Where(s => s.Count >= 2).OrderBy(s => s.Count).ToList();
        if (usable.Count == 0) throw new ArgumentException("No record has the two tokens needed to predict one.");
        double totalLoss = 0;
        long totalTokens = 0;
        int done = 0;
        using var noGrad = no_grad();
        foreach (var batch in Batches(usable, tokensPerBatch))
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            int B = batch.Count, T = batch[^1].Count;
            var ids = new long[B * T];
            var targets = Enumerable.Repeat(IgnoreIndex, B * T).ToArray();
            for (int b = 0; b < B; b++)
                for (int t = 0; t < batch[b].Count; t++)
                {
                    ids[b * T + t] = batch[b][t];
                    if (t > 0) targets[b * T + t - 1] = batch[b][t];
                }
            var logits = forward(tensor(ids, [B, T], device: lm.Device));               // (B, T, V)
            var loss = nn.functional.cross_entropy(
                logits.to(ScalarType.Float32).view(B * T, -1), tensor(targets, device: lm.Device),
                ignore_index: IgnoreIndex, reduction: nn.Reduction.Sum);
            totalLoss += loss.to(ScalarType.Float64).item<double>();
            totalTokens += batch.Sum(s => s.Count - 1);
            done += B;
            sequencesDone?.Report(done);
        }
        double mean = totalLoss / totalTokens;
        return new EvaluationResult(mean, Math.Exp(mean), totalTokens, usable.Count);
    }

    /// <summary>Consecutive runs of length-sorted sequences whose padded size stays within the budget.</summary>
    static IEnumerable<List<IReadOnlyList<int>>> Batches(List<IReadOnlyList<int>> sorted, int tokensPerBatch)
    {
        var batch = new List<IReadOnlyList<int>>();
        foreach (var s in sorted)
        {
            if (batch.Count > 0 && (batch.Count + 1) * s.Count > tokensPerBatch)
            {
                yield return batch;
                batch = [];
            }
            batch.Add(s);
        }
        if (batch.Count > 0) yield return batch;
    }
}
