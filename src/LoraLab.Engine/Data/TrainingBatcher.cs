using LoraLab.Engine.Training;
using static TorchSharp.torch;

namespace LoraLab.Engine.Data;

/// <summary>
/// Cuts the examples into batches in an order shuffled afresh each epoch. The order of an epoch depends only on the
/// seed and the epoch number, so a run resumed at (epoch, batch) sees exactly the batches it would have seen.
/// </summary>
public sealed class TrainingBatcher : ITrainingBatches
{
    readonly IReadOnlyList<TrainingExample> examples;
    readonly int batchSize;
    readonly ulong seed;
    readonly int padId;
    readonly Device device;
    (int Epoch, int[] Order)? lastOrder;

    public TrainingBatcher(IReadOnlyList<TrainingExample> examples, int batchSize, ulong seed, int padId, Device? device = null)
    {
        this.device = device ?? CPU;
        if (examples.Count == 0) throw new ArgumentException("there are no training examples to batch", nameof(examples));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be positive");
        this.examples = examples;
        this.batchSize = batchSize;
        this.seed = seed;
        this.padId = padId;
    }

    /// <summary>The last batch of an epoch is smaller when the examples do not divide evenly.</summary>
    public long BatchesPerEpoch => (examples.Count + batchSize - 1) / batchSize;

    /// <summary>The example indices of an epoch in the order they are served.</summary>
    public int[] Order(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        // Hashing the epoch (rather than adding it to the seed) keeps the streams of neighbouring epochs unrelated.
        return SplitMix64.Permutation(examples.Count, SplitMix64.Mix(seed ^ SplitMix64.Mix((ulong)epoch + 1)));
    }

    /// <summary>Batch <paramref name="batch"/> of <paramref name="epoch"/> as arrays.</summary>
    public CollatedBatch Collate(int epoch, int batch) => Collate(CachedOrder(epoch), batch);

    public TrainingBatch Read(BatchPosition position) => Collate(position.Epoch, checked((int)position.Index)).ToTensors(device);

    /// <summary>The trainer reads an epoch's batches one by one; its order is computed once.</summary>
    int[] CachedOrder(int epoch)
    {
        if (lastOrder is not { } cached || cached.Epoch != epoch) lastOrder = cached = (epoch, Order(epoch));
        return cached.Order;
    }

    CollatedBatch Collate(int[] order, int batch)
    {
        if (batch < 0 || batch >= BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"an epoch has batches 0 … {BatchesPerEpoch - 1}");
        var rows = order.Skip(batch * batchSize).Take(batchSize).Select(i => examples[i]).ToList();
        return BatchCollator.Collate(rows, padId);
    }
}
