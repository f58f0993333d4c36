namespace LoraLab.Web.Serving;

/// <summary>What the Serving page shows: rates over the last <see cref="ServingStats.Window"/>, the queue, and what is in memory.</summary>
/// <param name="PeakRows">The most rows decoded together since the studio started.</param>
public sealed record ServingSnapshot(double RequestsPerSecond, double TokensPerSecond, int QueueDepth, int RunningRows,
    string? LoadedBase, IReadOnlyList<string> LoadedAdapters, long RequestsServed, long TokensServed, int PeakRows);

/// <summary>
/// Counters of the serving thread, read by the Serving page: requests finished and tokens generated with their times
/// (kept for <see cref="Window"/> to give rates), queue depth, running rows, and the base and adapters in memory.
/// Written by the serving thread and the request handlers, read by components: every member takes the lock.
/// </summary>
public sealed class ServingStats(TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    readonly Lock gate = new();
    readonly Queue<(DateTimeOffset At, int Tokens)> tokens = new();
    readonly Queue<DateTimeOffset> requests = new();
    int queueDepth, runningRows, peakRows;
    long requestsServed, tokensServed;
    string? loadedBase;
    IReadOnlyList<string> loadedAdapters = [];

    public void TokensGenerated(int count)
    {
        lock (gate)
        {
            tokens.Enqueue((clock.GetUtcNow(), count));
            tokensServed += count;
        }
    }

    public void RequestServed()
    {
        lock (gate)
        {
            requests.Enqueue(clock.GetUtcNow());
            requestsServed++;
        }
    }

    public void Queue(int depth, int rows)
    {
        lock (gate)
        {
            (queueDepth, runningRows) = (depth, rows);
            peakRows = Math.Max(peakRows, rows);
        }
    }

    public void Loaded(string? baseName, IReadOnlyList<string> adapters)
    {
        lock (gate) (loadedBase, loadedAdapters) = (baseName, adapters.ToArray());
    }

    public ServingSnapshot Snapshot()
    {
        lock (gate)
        {
            var since = clock.GetUtcNow() - Window;
            while (tokens.TryPeek(out var t) && t.At < since) tokens.Dequeue();
            while (requests.TryPeek(out var r) && r < since) requests.Dequeue();
            double seconds = Window.TotalSeconds;
            return new ServingSnapshot(requests.Count / seconds, tokens.Sum(t => t.Tokens) / seconds, queueDepth, runningRows,
                loadedBase, loadedAdapters, requestsServed, tokensServed, peakRows);
        }
    }
}
