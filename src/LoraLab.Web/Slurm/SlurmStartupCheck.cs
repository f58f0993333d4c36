using LoraLab.Web.Storage;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Slurm;

/// <summary>
/// Stops the studio at start-up, before the training service takes a run, when LoraLab:Executor is not a known executor
/// or the Slurm settings are not usable; the message lists every problem.
/// </summary>
sealed class SlurmStartupCheck(IOptions<LoraLabOptions> studio, IOptions<SlurmOptions> options, DataFolder data, SlurmClient slurm, ILogger<SlurmStartupCheck> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        string executor = studio.Value.Executor;
        if (executor is not ("local" or "slurm"))
            throw new InvalidOperationException($"LoraLab:Executor must be 'local' or 'slurm', not '{executor}'.");
        if (executor != "slurm") return;
        string shared = options.Value.SharedPath ?? data.Root;
        var problems = await SlurmSettingsCheck.ProblemsAsync(options.Value, shared, slurm, cancellationToken);
        if (problems.Count > 0)
            throw new InvalidOperationException("The studio cannot train on Slurm: " + string.Join(" ", problems));
        logger.LogInformation("Runs train as Slurm jobs{Partition}; their files go to {Shared}.",
            options.Value.Partition is { } p ? $" on the partition {p}" : "", Path.Combine(shared, "slurm"));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
