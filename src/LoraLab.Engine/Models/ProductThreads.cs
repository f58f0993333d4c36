using System.Runtime.ExceptionServices;

namespace LoraLab.Engine.Models;

/// <summary>
/// Runs the chunks of one piece of work on the calling thread and on helper threads of its own, each taking the next
/// chunk not yet taken. libtorch runs a product of a few rows on one thread whatever <c>set_num_threads</c> says,
/// while decoding is bound by reading the weights, which one core cannot do at the memory's full speed. A decode step
/// runs hundreds of such products of tens of microseconds each, so a helper spins between them
/// (<see cref="ManualResetEventSlim"/> with its longest spin) and only then sleeps, burning no core between steps.
/// Chunks are taken, not assigned: when a helper is late (its core busy, e.g. with libgomp's workers, which spin for
/// milliseconds after each parallel region of libtorch), the caller does its share instead of waiting for it.
/// One caller at a time: a second thread that finds the helpers busy runs its chunks itself.
/// </summary>
internal static class ProductThreads
{
    /// <summary>The most spins <see cref="ManualResetEventSlim"/> accepts.</summary>
    const int SpinCount = 2047;
    static readonly Lock gate = new();
    static readonly List<Helper> helpers = [];

    /// <summary>Runs <paramref name="chunk"/>(0 … <paramref name="chunks"/> − 1) on up to <paramref name="threads"/> threads; returns once all have run.</summary>
    public static void Run(int chunks, int threads, Action<int> chunk)
    {
        var job = new Job(chunk, chunks);
        if (threads <= 1 || chunks <= 1 || !gate.TryEnter())
        {
            job.Work();
            job.Wait();
            return;
        }
        try
        {
            while (helpers.Count < threads - 1) helpers.Add(new Helper());
            for (int h = 0; h < threads - 1; h++) helpers[h].Offer(job);
            job.Work();
            job.Wait();
        }
        finally
        {
            gate.Exit();
        }
    }

    /// <summary>
    /// Several pieces of work in one hand-over: piece i covers [0, Length_i) in ranges of Step_i, and
    /// <paramref name="range"/>(i, from, to) runs one of them; every range of every piece is a chunk of <see cref="Run(int, int, Action{int})"/>.
    /// </summary>
    public static void Run(ReadOnlySpan<(long Length, long Step)> pieces, int threads, Action<int, long, long> range)
    {
        var ranges = pieces.ToArray();
        var firstChunk = new int[ranges.Length + 1];
        for (int i = 0; i < ranges.Length; i++) firstChunk[i + 1] = firstChunk[i] + (int)((ranges[i].Length + ranges[i].Step - 1) / ranges[i].Step);
        Run(firstChunk[^1], threads, c =>
        {
            int i = 0;
            while (c >= firstChunk[i + 1]) i++;
            long from = (c - firstChunk[i]) * ranges[i].Step;
            range(i, from, Math.Min(ranges[i].Length, from + ranges[i].Step));
        });
    }

    sealed class Job(Action<int> chunk, int count)
    {
        int next, done;
        ExceptionDispatchInfo? failure;

        /// <summary>Takes chunks until none is left.</summary>
        public void Work()
        {
            for (int c = Interlocked.Increment(ref next) - 1; c < count; c = Interlocked.Increment(ref next) - 1)
            {
                try { chunk(c); }
                catch (Exception e) { Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null); }
                Interlocked.Increment(ref done);
            }
        }

        /// <summary>Waits for the chunks other threads took; rethrows the first failure of any.</summary>
        public void Wait()
        {
            var spinner = new SpinWait();
            while (Volatile.Read(ref done) < count) spinner.SpinOnce(sleep1Threshold: -1);
            failure?.Throw();
        }
    }

    /// <summary>A thread that works on the job last offered; a job it wakes to late is already done and costs nothing.</summary>
    sealed class Helper
    {
        readonly ManualResetEventSlim offered = new(false, SpinCount);
        Job? job;

        public Helper() => new Thread(Loop) { IsBackground = true, Name = "LoRA Lab product helper" }.Start();

        public void Offer(Job next)
        {
            Volatile.Write(ref job, next);
            offered.Set();
        }

        void Loop()
        {
            while (true)
            {
                offered.Wait();
                offered.Reset();
                Volatile.Read(ref job)!.Work();
            }
        }
    }
}
