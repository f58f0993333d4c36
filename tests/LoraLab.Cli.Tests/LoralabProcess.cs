using System.Diagnostics;

namespace LoraLab.Cli.Tests;

/// <summary>Runs the built <c>loralab</c> executable as a user would, capturing its exit code and both streams.</summary>
public static class LoralabProcess
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static Result Run(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) { process.Kill(true); throw new TimeoutException($"loralab {string.Join(' ', args)} did not finish."); }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts loralab without waiting, its output redirected; the caller reads it, or kills the process.</summary>
    public static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "loralab.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }
}
