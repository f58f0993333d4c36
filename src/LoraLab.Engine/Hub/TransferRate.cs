namespace LoraLab.Engine.Hub;

/// <summary>Bytes per second over the last few seconds, so the rate follows a connection that speeds up or slows down.</summary>
sealed class TransferRate(TimeProvider clock, TimeSpan window)
{
    readonly Queue<(long Timestamp, long Bytes)> samples = new();
    long bytes;

    public void Add(long count)
    {
        bytes += count;
        long now = clock.GetTimestamp();
        samples.Enqueue((now, bytes));
        // Keep one sample older than the window, so the rate spans the whole window.
        while (samples.Count > 2 && clock.GetElapsedTime(samples.ElementAt(1).Timestamp, now) > window) samples.Dequeue();
    }

    public double BytesPerSecond
    {
        get
        {
            if (samples.Count < 2) return 0;
            var (firstTime, firstBytes) = samples.Peek();
            double seconds = clock.GetElapsedTime(firstTime).TotalSeconds;
            return seconds > 0 ? (bytes - firstBytes) / seconds : 0;
        }
    }
}
