using static TorchSharp.torch;

namespace LoraLab.Engine.Data;

/// <summary>
/// The tensors of one batch. Right padding needs no mask for the logits of real tokens (causal attention never looks
/// ahead at it), so a trainer may leave <see cref="KeyIsReal"/> out and keep attention on its fast causal path; a
/// packed batch must pass <see cref="Positions"/> and <see cref="AttentionMask"/>.
/// </summary>
public sealed class TrainingBatch : IDisposable
{
    TrainingBatch(Tensor inputIds, Tensor labels, Tensor keyIsReal, Tensor? positions, Tensor? attentionMask)
    {
        InputIds = inputIds;
        Labels = labels;
        KeyIsReal = keyIsReal;
        Positions = positions;
        AttentionMask = attentionMask;
    }

    /// <summary>(B, T) int64.</summary>
    public Tensor InputIds { get; }

    /// <summary>(B, T) int64, <see cref="TrainingExample.IgnoreLabel"/> where no loss is taken.</summary>
    public Tensor Labels { get; }

    /// <summary>(B, T) int64, 1 for tokens and 0 for padding.</summary>
    public Tensor KeyIsReal { get; }

    /// <summary>(B, T) int64 positions restarting at 0 for each packed example; null when no row is packed.</summary>
    public Tensor? Positions { get; }

    /// <summary>(B, 1, T, T) boolean block-diagonal causal mask; null when no row is packed.</summary>
    public Tensor? AttentionMask { get; }

    public static TrainingBatch From(CollatedBatch batch, Device device)
    {
        long[] shape = [batch.Rows, batch.Length];
        Tensor? positions = null, mask = null;
        if (batch.SegmentIds is not null)
        {
            positions = tensor(batch.Positions!, shape, device: device);
            using var segments = tensor(batch.SegmentIds, shape, device: device);
            mask = PackedAttentionMask.ForBatch(segments);
        }
        return new TrainingBatch(
            tensor(batch.InputIds, shape, device: device), tensor(batch.Labels, shape, device: device), tensor(batch.KeyIsReal, shape, device: device),
            positions, mask);
    }

    public void Dispose()
    {
        InputIds.Dispose();
        Labels.Dispose();
        KeyIsReal.Dispose();
        Positions?.Dispose();
        AttentionMask?.Dispose();
    }
}
