using System.Globalization;
using LoraLab.Web.Training;

namespace LoraLab.Web.Slurm;

/// <summary>The batch script and sbatch arguments of one run: a pure function of the settings, the run and its job files.</summary>
public static class SlurmJobScript
{
    public static string Render(RunRequest request, SlurmOptions options, SlurmJobFiles files)
    {
        var train = new List<string>
        {
            "train", "--model", request.BaseModelFolder, "--data", request.DatasetFile, "--config", files.Configuration,
            "--out", request.OutputFolder, "--json",
        };
        if (request.ResumeFromCheckpointFolder is { } checkpoint) train.AddRange(["--resume", checkpoint]);
        return $"""
            #!/bin/bash
            # LoRA Lab run {request.RunId}: loralab's stdout is the run's JSON event stream, which the studio follows.
            # On scancel the shell outlives loralab (a handler, unlike an ignored signal, is not inherited), so the
            # exit code below is written once loralab has stopped writing into the run's folder.
            trap 'true' TERM
            {options.Command} {string.Join(' ', train.Select(Quote))} > {Quote(files.Events)}
            code=$?
            echo "$code" > {Quote(files.ExitCode)}
            exit "$code"

            """;
    }

    /// <summary>
    /// The job is not requeued by Slurm (--no-requeue): after a node failure the studio marks the run interrupted, and it
    /// resumes from its last checkpoint rather than starting over under the same job id.
    /// </summary>
    /// <param name="estimatedBytes">The run's estimated peak memory (<see cref="RunSettings.MemoryEstimate"/>), for --mem.</param>
    public static IReadOnlyList<string> Arguments(RunRequest request, SlurmOptions options, SlurmJobFiles files, long? estimatedBytes)
    {
        var arguments = new List<string>
        {
            $"--job-name=loralab-run-{request.RunId.ToString(CultureInfo.InvariantCulture)}",
            $"--chdir={files.Folder}", $"--output={files.Log}", "--no-requeue",
        };
        if (options.Partition is { Length: > 0 } partition) arguments.Add($"--partition={partition}");
        if (options.Account is { Length: > 0 } account) arguments.Add($"--account={account}");
        if (options.Qos is { Length: > 0 } qos) arguments.Add($"--qos={qos}");
        if (options.Gpus > 0) arguments.Add($"--gres=gpu:{options.Gpus.ToString(CultureInfo.InvariantCulture)}");
        if (options.CpusPerTask is { } cpus) arguments.Add($"--cpus-per-task={cpus.ToString(CultureInfo.InvariantCulture)}");
        if (SlurmMemory.Argument(options, estimatedBytes) is { } memory) arguments.Add(memory);
        if (options.TimeLimit is { Length: > 0 } time) arguments.Add($"--time={time}");
        arguments.AddRange(options.ExtraArguments);
        return arguments;
    }

    /// <summary>Single-quoted for bash: nothing inside is expanded.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";
}
