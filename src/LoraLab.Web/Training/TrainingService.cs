using LoraLab.Web.Adapters;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Training;

/// <summary>
/// Trains the queued runs: LoraLab:TrainingConcurrency workers (one per device, 1 by default) each take the next run
/// and execute it on a dedicated thread, since training is long CPU-bound work that must not hold a pool thread.
/// A worker never dies with a run: whatever the executor throws ends that run as Failed. Cancelling a run trips its
/// own cancellation; stopping the host trips all of them, and the runs it cut short are marked Interrupted.
/// </summary>
public sealed class TrainingService(
    RunQueue queue,
    AdapterStore adapters,
    TrainingNotifier notifier,
    IDbContextFactory<LoraLabDbContext> dbFactory,
    DataFolder data,
    IOptions<LoraLabOptions> options,
    TimeProvider clock,
    ILogger<TrainingService> logger,
    IRunExecutor? executor = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (executor is null)
        {
            logger.LogWarning("No run executor is registered: queued runs wait until the studio runs with one.");
            return;
        }
        int workers = Math.Max(1, options.Value.TrainingConcurrency);
        await Task.WhenAll(Enumerable.Range(1, workers).Select(worker => WorkAsync(executor, worker, stoppingToken)));
    }

    async Task WorkAsync(IRunExecutor runExecutor, int worker, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var lease = await queue.TakeNextAsync(stoppingToken);
                if (lease is null) await queue.WaitForWorkAsync(stoppingToken);
                else await ExecuteRunAsync(runExecutor, lease, worker, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The queue's database is unreachable or similar: keep the worker, try again shortly.
                logger.LogError(e, "Training worker {Worker} hit an error outside a run; it retries in a few seconds.", worker);
                await PauseAsync(stoppingToken);
            }
        }
    }

    async Task PauseAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(5), clock, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    async Task ExecuteRunAsync(IRunExecutor runExecutor, RunLease lease, int worker, CancellationToken stoppingToken)
    {
        var request = lease.Request;
        logger.LogInformation("Worker {Worker} starts run {RunId} ('{Name}').", worker, request.RunId, request.RunName);
        RunStatus status;
        RunOutcome? outcome = null;
        string? error = null;
        await using (var recorder = new RunRecorder(request.RunId, dbFactory, data.RunLog(request.RunId), clock, logger))
        {
            var progress = new RunProgress(request.RunId, recorder, notifier);
            try
            {
                Directory.CreateDirectory(request.CheckpointsFolder);
                outcome = await OnDedicatedThread($"run-{request.RunId}", () => runExecutor.Execute(request, progress, lease.Cancellation.Token));
                status = RunStatus.Completed;
            }
            catch (OperationCanceledException) when (lease.Cancellation.IsCancellationRequested)
            {
                (status, error) = stoppingToken.IsCancellationRequested
                    ? (RunStatus.Interrupted, "The studio shut down during this run; resume it to continue from its last checkpoint.")
                    : (RunStatus.Cancelled, null);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Run {RunId} failed.", request.RunId);
                (status, error) = (RunStatus.Failed, e.Message);
            }
        }
        if (status == RunStatus.Completed && outcome is not null)
            await RegisterAdapterAsync(request, outcome);
        await queue.FinishAsync(lease, status, outcome, error);
        logger.LogInformation("Run {RunId} ended {Status}.", request.RunId, status);
    }

    async Task RegisterAdapterAsync(RunRequest request, RunOutcome outcome)
    {
        try
        {
            if (await adapters.RegisterRunAdapterAsync(request, outcome) is null)
                logger.LogWarning("Run {RunId} completed without writing an adapter_config.json to {Folder}.", request.RunId, request.AdapterFolder);
        }
        catch (Exception e)
        {
            logger.LogError(e, "The adapter of run {RunId} in {Folder} could not be registered.", request.RunId, request.AdapterFolder);
        }
    }

    static Task<T> OnDedicatedThread<T>(string name, Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return done.Task;
    }
}
