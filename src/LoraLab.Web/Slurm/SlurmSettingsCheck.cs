namespace LoraLab.Web.Slurm;

/// <summary>What stops the studio from submitting runs with the Slurm settings: one sentence per problem, none when they are usable.</summary>
public static class SlurmSettingsCheck
{
    public static async Task<IReadOnlyList<string>> ProblemsAsync(SlurmOptions options, string sharedPath, SlurmClient slurm, CancellationToken cancellation)
    {
        var problems = new List<string>();
        if (FindOnPath("sbatch") is null)
            problems.Add("sbatch was not found on the PATH of the studio; install the Slurm client commands (Debian: slurm-client) where the studio runs.");
        else
        {
            try
            {
                var partitions = await slurm.PartitionsAsync(cancellation);
                var names = partitions.Select(p => p.Name).Distinct().ToList();
                if (options.Partition is { Length: > 0 } partition && !names.Contains(partition))
                    problems.Add($"LoraLab:Slurm:Partition '{partition}' is unknown to sinfo, which lists {(names.Count == 0 ? "no partition" : string.Join(", ", names))}.");
            }
            catch (SlurmCommandException e)
            {
                problems.Add($"sinfo could not list the cluster's partitions: {e.Message}");
            }
        }
        if (string.IsNullOrWhiteSpace(options.Command))
            problems.Add("LoraLab:Slurm:Command is empty; set it to the loralab command line the nodes run, such as 'loralab'.");
        if (WriteProblem(sharedPath) is { } unwritable)
            problems.Add($"The shared folder {sharedPath} (LoraLab:Slurm:SharedPath) is not writable: {unwritable}");
        return problems;
    }

    static string? WriteProblem(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".loralab-write-check-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, command)).FirstOrDefault(File.Exists);
}
