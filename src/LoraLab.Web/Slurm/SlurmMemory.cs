using System.Globalization;

namespace LoraLab.Web.Slurm;

/// <summary>The memory a run's job asks Slurm for: LoraLab:Slurm:Memory as given, else the run's estimated peak with headroom.</summary>
public static class SlurmMemory
{
    /// <summary>sbatch arguments that request memory themselves; with one in ExtraArguments the studio adds none.</summary>
    static readonly string[] MemoryArguments = ["--mem", "--mem-per-cpu", "--mem-per-gpu"];

    /// <summary>
    /// "--mem=…", or null when the extra arguments request memory themselves or the run has no estimate (the job then
    /// gets the partition's default, and the run's own error says what is wrong with it).
    /// </summary>
    public static string? Argument(SlurmOptions options, long? estimatedBytes)
    {
        if (options.ExtraArguments.Any(a => MemoryArguments.Any(m => a == m || a.StartsWith(m + "=", StringComparison.Ordinal)))) return null;
        if (options.Memory is { Length: > 0 } memory) return $"--mem={memory}";
        return estimatedBytes is { } bytes ? $"--mem={Megabytes(bytes).ToString(CultureInfo.InvariantCulture)}M" : null;
    }

    /// <summary>
    /// The estimate × 1.25 + 1 GiB: the estimate is the training step's peak, and the loralab process also holds the
    /// .NET runtime's heap, the tokenizer, the dataset and the checkpoint being written, which Slurm counts too.
    /// </summary>
    public static long Megabytes(long estimatedBytes) => (long)Math.Ceiling(estimatedBytes * 1.25 / (1 << 20)) + 1024;
}
