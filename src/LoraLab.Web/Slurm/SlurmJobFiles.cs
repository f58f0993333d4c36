namespace LoraLab.Web.Slurm;

/// <summary>
/// The files of a run's Slurm job in the shared folder, {SharedPath}/slurm/run-{id}/: the batch script, the resolved
/// configuration it trains with, the JSON event stream (loralab's stdout), the job's own log (stderr) and the exit code
/// the script records.
/// </summary>
public sealed record SlurmJobFiles(string Folder)
{
    public static SlurmJobFiles For(string sharedPath, int runId) =>
        new(Path.Combine(Path.GetFullPath(sharedPath), "slurm", $"run-{runId.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));

    public string Script => Path.Combine(Folder, "job.sh");
    public string Configuration => Path.Combine(Folder, "run_config.json");
    public string Events => Path.Combine(Folder, "events.jsonl");
    public string Log => Path.Combine(Folder, "job.log");
    public string ExitCode => Path.Combine(Folder, "exit_code");

    /// <summary>Written when the studio stopped while following the job, which kept running: the next start reattaches to it.</summary>
    public string Detached => Path.Combine(Folder, "studio-detached");

    /// <summary>The job the studio left running when it stopped, or null.</summary>
    public string? DetachedJobId() => File.Exists(Detached) ? File.ReadAllText(Detached).Trim() : null;

    /// <summary>An empty folder for a new submission: the files of an earlier execution of the run would be read as this one's.</summary>
    public void Reset()
    {
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
        Directory.CreateDirectory(Folder);
    }

    /// <summary>The last lines of the job's log, for a failed run's message.</summary>
    public string LogTail(int lines = 12)
    {
        if (!File.Exists(Log)) return "(the job wrote no log)";
        var tail = File.ReadLines(Log).Where(l => l.Trim().Length > 0).TakeLast(lines).ToList();
        return tail.Count == 0 ? "(the job's log is empty)" : string.Join('\n', tail);
    }

    /// <summary>The exit code the script recorded after loralab ended, or null when it did not get that far.</summary>
    public int? RecordedExitCode() =>
        File.Exists(ExitCode) && int.TryParse(File.ReadAllText(ExitCode).Trim(), out int code) ? code : null;
}
