using LoraLab.Web.Accounts;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using LoraLab.Web.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Slurm;

/// <summary>
/// At start-up, before the training service takes a run, queues again every interrupted run whose Slurm job the studio
/// left running (or which Slurm still has pending or running), so that the executor follows that job again instead of
/// submitting a new one.
/// </summary>
sealed class SlurmReattach(
    IOptions<LoraLabOptions> studio,
    IOptions<SlurmOptions> options,
    DataFolder data,
    RunQueue queue,
    SlurmRunExecutor executor,
    IDbContextFactory<LoraLabDbContext> dbFactory,
    ILogger<SlurmReattach> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (studio.Value.Executor != "slurm") return;
        List<int> interrupted;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            interrupted = await db.Runs.Where(r => r.Status == RunStatus.Interrupted && r.SlurmJobId != null).OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(cancellationToken);
        foreach (int runId in interrupted)
        {
            var files = SlurmJobFiles.For(options.Value.SharedPath ?? data.Root, runId);
            if (executor.ReattachableJob(runId, files) is not { } jobId) continue;
            var resumed = await queue.ResumeAsync(runId, Caller.Local, cancellationToken);
            if (resumed.Failure is { } failure)
                logger.LogWarning("Run {RunId} could not be queued to follow its Slurm job {JobId} again: {Detail}", runId, jobId, failure.Detail);
            else
                logger.LogInformation("Run {RunId} is queued to follow its Slurm job {JobId} again.", runId, jobId);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
