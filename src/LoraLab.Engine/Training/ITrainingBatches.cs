using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using static TorchSharp.torch;

namespace LoraLab.Engine.Training;

/// <summary>
/// The trainer's view of a dataset: micro-batches addressed by position. The order of batches within an epoch must be
/// a pure function of the epoch (for instance a shuffle seeded with seed + epoch), so that a saved
/// <see cref="BatchPosition"/> is all a resumed run needs to see the same batches in the same order.
/// </summary>
public interface ITrainingBatches
{
    /// <summary>Micro-batches in one pass over the data; at least one.</summary>
    long BatchesPerEpoch { get; }

    /// <summary>
    /// The micro-batch at <paramref name="position"/> (index below <see cref="BatchesPerEpoch"/>). Tensors it creates
    /// belong to the caller's dispose scope.
    /// </summary>
    TrainingBatch Read(BatchPosition position);
}

/// <summary>One micro-batch of causal-LM training.</summary>
/// <param name="InputIds">(B, T) int64 token ids.</param>
/// <param name="Labels">(B, T) int64, aligned with <paramref name="InputIds"/> as in transformers (the loss shifts them):
/// the token to learn at each position, or −100 where nothing is learnt (prompt, padding).</param>
/// <param name="KeyIsReal">(B, T) 1 for real tokens and 0 for padding, or null when no row is padded.</param>
/// <param name="Positions">(B, T) positions restarting at 0 for each packed example; null when no row is packed.</param>
/// <param name="AttentionMask">(B, 1, T, T) boolean block-diagonal causal mask of a packed batch; null otherwise.</param>
public sealed record TrainingBatch(Tensor InputIds, Tensor Labels, Tensor? KeyIsReal = null, Tensor? Positions = null, Tensor? AttentionMask = null)
{
    /// <summary>The method's logits (B, T, V) for this batch, packed or not.</summary>
    public Tensor Logits(IPeftMethod method, CausalLM lm) => Positions is null
        ? method.Forward(lm, InputIds, KeyIsReal)
        : method.ForwardPacked(lm, InputIds, Positions, AttentionMask!);
}

/// <summary>Where a pass over the batches stands: micro-batch <paramref name="Index"/> of epoch <paramref name="Epoch"/> (both from 0).</summary>
public readonly record struct BatchPosition(int Epoch, long Index)
{
    /// <summary>The next position, moving to the next epoch after the last batch of this one.</summary>
    public BatchPosition Next(long batchesPerEpoch) =>
        Index + 1 < batchesPerEpoch ? this with { Index = Index + 1 } : new BatchPosition(Epoch + 1, 0);
}
