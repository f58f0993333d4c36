using LoraLab.Engine.Data;
using LoraLab.Engine.Models;
using LoraLab.Engine.Training;
using static TorchSharp.torch;

namespace LoraLab.Engine.Evaluation;

/// <summary>
/// Token-weighted cross-entropy and perplexity on the labelled tokens of examples only (the answers after their prompts),
/// counted as the trainer's validation loss counts them.
/// </summary>
public static class CompletionLossEvaluator
{
    /// <param name="forward">Logits (B, T, V) for right-padded ids (B, T) and their key mask (B, T) or null; defaults to the plain model.</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    public static EvaluationResult Evaluate(CausalLM lm, IReadOnlyList<TrainingExample> examples, Func<Tensor, Tensor?, Tensor>? forward = null,
        int batchSize = 8, CancellationToken cancellation = default)
    {
        forward ??= (ids, keyIsReal) => lm.Forward(ids, keyIsReal: keyIsReal);
        var usable = examples.Where(e => e.Labels.Skip(1).Any(l => l != TrainingExample.IgnoreLabel)).ToList();
        if (usable.Count == 0) throw new ArgumentException("No example has a labelled token to predict.", nameof(examples));
        double totalLoss = 0;
        long totalTokens = 0;
        using var noGrad = no_grad();
        foreach (var chunk in usable.Chunk(batchSize))
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            // Right padding is never attended to by earlier tokens, and its labels are ignored; the pad id does not matter.
            var batch = BatchCollator.Collate(chunk, padId: 0).ToTensors(lm.Device);
            var logits = forward(batch.InputIds, batch.KeyIsReal);   // (B, T, V)
            totalLoss += CausalLmLoss.Sum(logits, batch.Labels).to(ScalarType.Float64).item<double>();
            totalTokens += CausalLmLoss.PredictedTokens(batch.Labels);
        }
        double mean = totalLoss / totalTokens;
        return new EvaluationResult(mean, Math.Exp(mean), totalTokens, usable.Count);
    }
}
