using LoraLab.Engine.Training;
using static TorchSharp.torch;
namespace LoraLab.Engine.Data;

/// <summary>
/// A batch as flat row-major arrays of Rows × Length, before it becomes tensors.
/// </summary>
/// <param name="KeyIsReal">1 for tokens, 0 for padding.</param>
/// <param name="SegmentIds">For a batch with a packed row: each token's example within its row, −1 on padding; else null.</param>
/// <param name="Positions">For a batch with a packed row: each token's position within its example, 0 on padding; else null.</param>
public sealed record CollatedBatch(int Rows, int Length, long[] InputIds, long[] Labels, long[] KeyIsReal, long[]? SegmentIds, long[]? Positions)
{
    /// <summary>
    /// The batch as tensors on <paramref name="device"/>, in the caller's dispose scope. Padding is on the right, where
    /// causal attention never looks, so <see cref="TrainingBatch.KeyIsReal"/> is left out when no row is padded and the
    /// attention stays on its fast causal path; a packed batch carries its positions and block-diagonal mask.
    /// </summary>
    public TrainingBatch ToTensors(Device device)
    {
        long[] shape = [Rows, Length];
        Tensor? positions = null, mask = null;
        if (SegmentIds is not null)
        {
            positions = tensor(Positions!, shape, device: device);
            using var segments = tensor(SegmentIds, shape, device: device);
            mask = PackedAttentionMask.ForBatch(segments);
        }
        var keyIsReal = KeyIsReal.All(k => k == 1) ? null : tensor(KeyIsReal, shape, device: device);
        return new TrainingBatch(tensor(InputIds, shape, device: device), tensor(Labels, shape, device: device), keyIsReal, positions, mask);
    }
}

/// <summary>Right-pads examples to the longest of the batch; padding has the label <see cref="TrainingExample.IgnoreLabel"/>.</summary>
public static class BatchCollator
{
    public const int PaddingSegment = -1;

    /// <param name="padId">The id written on padding; any id works, since padding is masked and ignored by the loss.</param>
    public static CollatedBatch Collate(IReadOnlyList<TrainingExample> rows, int padId)
    {
        if (rows.Count == 0) throw new ArgumentException("a batch needs at least one example", nameof(rows));
        int length = rows.Max(r => r.Length);
        int size = rows.Count * length;
        var ids = new long[size];
        var labels = new long[size];
        var real = new long[size];
        bool packed = rows.Any(r => r.IsPacked);
        var segments = packed ? new long[size] : null;
        var positions = packed ? new long[size] : null;
        Array.Fill(ids, padId);
        Array.Fill(labels, TrainingExample.IgnoreLabel);
        segments?.AsSpan().Fill(PaddingSegment);

        for (int row = 0; row < rows.Count; row++)
        {
            var example = rows[row];
            int offset = row * length;
            for (int t = 0; t < example.Length; t++)
            {
                ids[offset + t] = example.InputIds[t];
                labels[offset + t] = example.Labels[t];
                real[offset + t] = 1;
                if (packed)
                {
                    segments![offset + t] = example.SegmentIds?[t] ?? 0;
                    positions![offset + t] = example.Positions?[t] ?? t;
                }
            }
        }
        return new CollatedBatch(rows.Count, length, ids, labels, real, segments, positions);
    }
}
