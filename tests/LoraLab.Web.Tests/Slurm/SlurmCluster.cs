using LoraLab.Web.Slurm;

namespace LoraLab.Web.Tests.Slurm;

/// <summary>
/// The real Slurm cluster the integration tests submit to: the one-node cluster .ci/slurm-up starts (found through
/// SLURM_CONF, or its default state folder), or whatever cluster this machine's Slurm commands reach.
/// </summary>
public static class SlurmCluster
{
    const string SlurmUpDefault = "/tmp/loralab-slurm/slurm.conf";

    static SlurmCluster()
    {
        if (Environment.GetEnvironmentVariable("SLURM_CONF") is null && File.Exists(SlurmUpDefault))
            Environment.SetEnvironmentVariable("SLURM_CONF", SlurmUpDefault);
    }

    public static bool HasSinfo =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(folder => File.Exists(Path.Combine(folder, "sinfo")));

    public static SlurmClient Client { get; } = new();

    /// <summary>The built loralab command line (the CLI is built with the tests), as LoraLab:Slurm:Command.</summary>
    public static string LoralabCommand
    {
        get
        {
            // tests/LoraLab.Web.Tests/bin/{Configuration}/{tfm}/ → src/LoraLab.Cli/bin/{Configuration}/{tfm}/loralab.dll
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string root = Path.GetFullPath(Path.Combine(output.FullName, "..", "..", "..", "..", ".."));
            string cli = Path.Combine(root, "src", "LoraLab.Cli", "bin", output.Parent!.Name, output.Name, "loralab.dll");
            if (!File.Exists(cli)) throw new FileNotFoundException($"The loralab CLI is not built at {cli}.");
            return $"dotnet {SlurmJobScript.Quote(cli)}";
        }
    }

    /// <summary>Marks a node down as an administrator would (scontrol update ... state=down), failing the jobs on it.</summary>
    public static async Task MarkNodeDownAsync(string node)
    {
        using var scontrol = System.Diagnostics.Process.Start("scontrol", ["update", $"nodename={node}", "state=down", "reason=loralab test"])!;
        await scontrol.WaitForExitAsync();
        Assert.Equal(0, scontrol.ExitCode);
    }

    /// <summary>Returns a node to service and waits until it is idle; the cluster returns a responding node by itself (ReturnToService=2).</summary>
    public static async Task ResumeNodeAsync(string node)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await Client.PartitionsAsync()).All(p => p.NodeState is not ("idle" or "mix" or "alloc")))
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"The node {node} did not return to service.");
            using var scontrol = System.Diagnostics.Process.Start("scontrol", ["update", $"nodename={node}", "state=resume"])!;
            await scontrol.WaitForExitAsync();
            await Task.Delay(500);
        }
    }

    /// <summary>
    /// Stops the controller of the cluster .ci/slurm-up started and starts it again after <paramref name="down"/>; the
    /// jobs go on training on the node meanwhile, and the controller recovers them from its state folder.
    /// </summary>
    public static async Task RestartControllerAsync(TimeSpan down)
    {
        string conf = Environment.GetEnvironmentVariable("SLURM_CONF") ?? throw new InvalidOperationException("SLURM_CONF is not set.");
        string pidFile = Path.Combine(Path.GetDirectoryName(conf)!, "slurmctld.pid");
        using (var controller = System.Diagnostics.Process.GetProcessById(int.Parse(File.ReadAllText(pidFile).Trim())))
        {
            // SIGTERM, as systemctl stop does: the controller saves its state first.
            using var stop = System.Diagnostics.Process.Start("kill", [controller.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            await stop.WaitForExitAsync();
            await controller.WaitForExitAsync();
        }
        await Task.Delay(down);
        using var start = System.Diagnostics.Process.Start("slurmctld", ["-f", conf])!;
        await start.WaitForExitAsync();
        Assert.Equal(0, start.ExitCode);
    }

    /// <summary>Lets a job submitted with a later begin time start now (scontrol update jobid=... starttime=now).</summary>
    public static async Task StartNowAsync(string jobId)
    {
        using var scontrol = System.Diagnostics.Process.Start("scontrol", ["update", $"jobid={jobId}", "starttime=now"])!;
        await scontrol.WaitForExitAsync();
        Assert.Equal(0, scontrol.ExitCode);
    }

    /// <summary>One field of the job's scontrol record ("MinMemoryNode"), as Slurm prints it.</summary>
    public static async Task<string> JobFieldAsync(string jobId, string field)
    {
        using var scontrol = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("scontrol", ["show", "job", "-o", jobId]) { RedirectStandardOutput = true })!;
        string output = await scontrol.StandardOutput.ReadToEndAsync();
        await scontrol.WaitForExitAsync();
        return SlurmJobParser.Fields(output).GetValueOrDefault(field) ?? throw new InvalidOperationException($"scontrol shows no {field} for job {jobId}: {output}");
    }

    /// <summary>The node of the one-node cluster.</summary>
    public static async Task<string> NodeAsync() => (await Client.PartitionsAsync()).First().NodeList;
}

/// <summary>A test against the real cluster; skipped, saying why, only where the Slurm commands are not installed.</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (!SlurmCluster.HasSinfo)
            Skip = "Slurm is not installed here (no sinfo on the PATH); .ci/run installs it and starts a one-node cluster with .ci/slurm-up.";
    }
}
