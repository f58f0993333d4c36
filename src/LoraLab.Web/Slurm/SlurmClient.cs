using System.Diagnostics;

namespace LoraLab.Web.Slurm;

/// <summary>
/// The Slurm commands the studio uses (sbatch, scontrol, scancel, sinfo), run as processes with a timeout and read into
/// typed results. The commands find the cluster as on a login node: through SLURM_CONF or /etc/slurm/slurm.conf.
/// </summary>
public sealed class SlurmClient(TimeSpan? timeout = null)
{
    readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(30);

    /// <summary>Submits a batch script with <c>sbatch --parsable</c>; returns the job id.</summary>
    public async Task<string> SubmitAsync(string script, IEnumerable<string> arguments, CancellationToken cancellation = default)
    {
        var output = await RunAsync("sbatch", ["--parsable", .. arguments, script], cancellation);
        // --parsable prints "id" or, on a federation, "id;cluster".
        string id = output.Trim().Split(';')[0];
        return id.Length > 0 && id.All(char.IsAsciiDigit) ? id : throw new SlurmCommandException($"sbatch printed '{output.Trim()}' instead of a job id.");
    }

    /// <summary>The job as <c>scontrol show job -o</c> reports it, or null once Slurm no longer knows it (MinJobAge after its end).</summary>
    public async Task<SlurmJob?> JobAsync(string jobId, CancellationToken cancellation = default)
    {
        try
        {
            var output = await RunAsync("scontrol", ["show", "job", "-o", jobId], cancellation);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(SlurmJobParser.Parse).FirstOrDefault(j => j.JobId == jobId);
        }
        catch (SlurmCommandException e) when (e.Message.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
    }

    public Task CancelAsync(string jobId, CancellationToken cancellation = default) => RunAsync("scancel", [jobId], cancellation);

    public async Task<IReadOnlyList<SlurmPartition>> PartitionsAsync(CancellationToken cancellation = default) =>
        SlurmPartition.ParseAll(await RunAsync("sinfo", ["-h", "-o", SlurmPartition.Format], cancellation));

    /// <summary>Runs a Slurm command; its stdout, or an exception quoting its stderr when it fails or outlives the timeout.</summary>
    async Task<string> RunAsync(string command, IReadOnlyList<string> arguments, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SlurmCommandException($"{command} could not be started ({e.Message}); is Slurm installed on the studio's machine?");
        }
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(_timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellation.ThrowIfCancellationRequested();
            throw new SlurmCommandException($"{command} {string.Join(' ', arguments)} did not answer within {_timeout.TotalSeconds:0} s.");
        }
        string output = await stdout, error = (await stderr).Trim();
        if (process.ExitCode != 0)
            throw new SlurmCommandException($"{command} {string.Join(' ', arguments)} failed (exit code {process.ExitCode}): {(error.Length > 0 ? error : output.Trim())}");
        return output;
    }
}
