using LoraLab.Engine.Training;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Training;

/// <summary>Fixed micro-batches in memory; with <c>shuffle</c>, each epoch visits them in an order seeded by the epoch.</summary>
sealed class InMemoryBatches(IReadOnlyList<TrainingBatch> batches, bool shuffle = false) : ITrainingBatches
{
    public long BatchesPerEpoch => batches.Count;

    public TrainingBatch Read(BatchPosition position)
    {
        if (!shuffle) return batches[(int)position.Index];
        var order = Enumerable.Range(0, batches.Count).ToArray();
        new Random(position.Epoch).Shuffle(order);
        return batches[order[position.Index]];
    }

    /// <summary><paramref name="count"/> batches of random tokens, each row its own labels.</summary>
    public static InMemoryBatches Random(int vocabSize, int count, int rows, int length, long seed, bool shuffle = false)
    {
        var generator = new Generator((ulong)seed);
        var list = Enumerable.Range(0, count).Select(_ =>
        {
            var ids = randint(0, vocabSize, [rows, length], generator: generator).DetachFromDisposeScope();
            return new TrainingBatch(ids, ids);
        }).ToList();
        return new InMemoryBatches(list, shuffle);
    }
}

/// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
sealed class Recorder(Action<TrainingEvent>? onEvent = null) : IProgress<TrainingEvent>
{
    public List<TrainingEvent> Events { get; } = [];

    public IEnumerable<T> Of<T>() where T : TrainingEvent => Events.OfType<T>();

    public void Report(TrainingEvent value)
    {
        Events.Add(value);
        onEvent?.Invoke(value);
    }
}
