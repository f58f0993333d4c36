namespace LoraLab.Web.Slurm;

/// <summary>
/// The "LoraLab:Slurm" section, read when LoraLab:Executor is "slurm": how each run is submitted as one Slurm job.
/// </summary>
public sealed record SlurmOptions
{
    public const string Section = "LoraLab:Slurm";

    /// <summary>sbatch --partition; null submits to the cluster's default partition.</summary>
    public string? Partition { get; init; }

    /// <summary>sbatch --account.</summary>
    public string? Account { get; init; }

    /// <summary>sbatch --qos.</summary>
    public string? Qos { get; init; }

    /// <summary>GPUs per run, requested as --gres=gpu:N; 0 requests none (the run trains on the node's CPUs).</summary>
    public int Gpus { get; init; }

    /// <summary>sbatch --cpus-per-task.</summary>
    public int? CpusPerTask { get; init; }

    /// <summary>
    /// sbatch --mem, passed as given ("16G", "64000"); null requests the run's estimated peak memory with headroom
    /// (<see cref="SlurmMemory"/>). A --mem, --mem-per-cpu or --mem-per-gpu in <see cref="ExtraArguments"/> replaces both.
    /// </summary>
    public string? Memory { get; init; }

    /// <summary>sbatch --time, in Slurm's formats ("90", "4:00:00", "1-00:00:00"); null takes the partition's limit.</summary>
    public string? TimeLimit { get; init; }

    /// <summary>More sbatch arguments, one per item ("--constraint=a100", "--exclusive").</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>The loralab command line the nodes run, split by the job's shell: "loralab" on their PATH, or e.g. "dotnet /opt/loralab/loralab.dll".</summary>
    public string Command { get; init; } = "loralab";

    /// <summary>
    /// The folder both the studio and the nodes see at this same path, where each run's job files go (slurm/run-{id}/);
    /// null is the data folder, which the nodes must see at the same path anyway for the models, datasets and run folders.
    /// </summary>
    public string? SharedPath { get; init; }

    /// <summary>Runs the studio keeps submitted to the cluster at once (pending or running); the queue holds the others.</summary>
    public int MaxJobs { get; init; } = 8;

    /// <summary>How often the studio reads a job's state and its new events.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
