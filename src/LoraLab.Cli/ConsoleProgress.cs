using System.Diagnostics;

namespace LoraLab.Cli;

/// <summary>A one-line progress bar on stderr, drawn only when stderr is a terminal and at most ten times a second.</summary>
sealed class ConsoleProgress(string label, long total, bool enabled) : IProgress<int>, IDisposable
{
    readonly bool visible = enabled && !Console.IsErrorRedirected;
    readonly Stopwatch clock = Stopwatch.StartNew();
    long lastDrawMs = -1000;

    public void Report(int done)
    {
        if (!visible || (clock.ElapsedMilliseconds - lastDrawMs < 100 && done < total)) return;
        lastDrawMs = clock.ElapsedMilliseconds;
        const int width = 30;
        int filled = total == 0 ? width : (int)(width * done / total);
        Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} {clock.Elapsed:mm\\:ss}");
    }

    public void Finish()
    {
        if (visible) Console.Error.WriteLine();
    }

    public void Dispose() => clock.Stop();
}
