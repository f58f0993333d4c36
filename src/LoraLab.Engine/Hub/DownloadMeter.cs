namespace LoraLab.Engine.Hub;

/// <summary>
/// Counts a download's bytes and reports them: at each file's start and end, and in between at most once per
/// <see cref="ReportInterval"/>, so a fast connection does not flood the listener.
/// </summary>
sealed class DownloadMeter(IProgress<HubDownloadProgress>? progress, TimeProvider clock, long bytesTotal, int fileCount)
{
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(250);

    readonly TransferRate rate = new(clock, TimeSpan.FromSeconds(5));
    long lastReport = long.MinValue;
    string file = "";
    long fileDone, finishedBytes;
    long? fileTotal;
    int filesDone;
    bool inFile;

    public void StartFile(HubFile started, long alreadyOnDisk)
    {
        (file, fileTotal, fileDone, inFile) = (started.Path, started.Size, alreadyOnDisk, true);
        Report(force: true);
    }

    public void Add(int bytes)
    {
        fileDone += bytes;
        rate.Add(bytes);
        Report(force: false);
    }

    /// <summary>The server sent the whole file instead of the rest: the bytes counted for it start again from zero.</summary>
    public void Restart() => fileDone = 0;

    public void FinishFile()
    {
        finishedBytes += fileTotal ?? fileDone;
        fileDone = fileTotal ?? fileDone;
        filesDone++;
        inFile = false;
        Report(force: true);
    }

    void Report(bool force)
    {
        if (progress is null) return;
        long now = clock.GetTimestamp();
        if (!force && lastReport != long.MinValue && clock.GetElapsedTime(lastReport, now) < ReportInterval) return;
        lastReport = now;
        long done = finishedBytes + (inFile ? fileDone : 0);
        progress.Report(new HubDownloadProgress(file, fileDone, fileTotal, done, Math.Max(bytesTotal, done), filesDone, fileCount, rate.BytesPerSecond));
    }
}
