using System.Diagnostics;

namespace LoraLab.Cli;

/// <summary>
/// A one-line progress bar on stderr, drawn only when stderr is a terminal and at most ten times a second.
/// <paramref name="count"/> writes the done/total numbers (sizes in bytes, say); by default they are plain integers.
/// </summary>
sealed class ConsoleProgress(string label, long total, bool enabled, Func<long, string>? count = null) : IProgress<int>, IDisposable
{
    readonly bool visible = enabled && !Console.IsErrorRedirected;
    readonly Stopwatch clock = Stopwatch.StartNew();
    long lastDrawMs = -1000;
    int lastLength;

    public void Report(int done) => Report(done, "");

    /// <summary>Draws the bar with <paramref name="detail"/> after it (a rate, the current file).</summary>
    public void Report(long done, string detail)
    {
        if (!visible || (clock.ElapsedMilliseconds - lastDrawMs < 100 && done < total)) return;
        lastDrawMs = clock.ElapsedMilliseconds;
        const int width = 30;
        int filled = total == 0 ? width : (int)(width * Math.Clamp(done, 0, total) / total);
        string numbers = count is null ? $"{done}/{total}" : $"{count(done)}/{count(total)}";
        string line = $"{label} [{new string('#', filled)}{new string('.', width - filled)}] {numbers} {clock.Elapsed:mm\\:ss} {detail}".TrimEnd();
        // Spaces wipe what a longer previous line left behind.
        Console.Error.Write($"\r{line}{new string(' ', Math.Max(0, lastLength - line.Length))}");
        lastLength = line.Length;
    }

    public void Finish()
    {
        if (visible) Console.Error.WriteLine();
    }

    public void Dispose() => clock.Stop();
}
