using LoraLab.Web.Accounts;
using LoraLab.Web.Adapters;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Devices;
using LoraLab.Web.Evaluations;
using LoraLab.Web.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Training;

/// <summary>
/// Executes the queued runs on the host's devices (<see cref="TrainingDevices"/>): a dispatcher takes the first queued run
/// once a device has a free slot and memory enough for it, and trains it there on a dedicated thread, since training is
/// long CPU-bound work that must not hold a pool thread; an evaluation run is answered there the same way
/// (<see cref="EvaluationRunExecutor"/>, in the studio's process also when training runs go to Slurm). A device's slot is freed when its run ends, whatever the
/// executor threw: that ends the run as Failed. Cancelling a run trips its own cancellation; stopping the host trips
/// all of them, and the runs it cut short are marked Interrupted. A run interrupted while the studio runs (its cluster
/// node failed) is queued again at once with LoraLab:AutoResumeInterrupted.
/// </summary>
public sealed class TrainingService(
    RunQueue queue,
    TrainingDevices devices,
    AdapterStore adapters,
    TrainingNotifier notifier,
    IDbContextFactory<LoraLabDbContext> dbFactory,
    DataFolder data,
    TimeProvider clock,
    IOptions<LoraLabOptions> options,
    ILogger<TrainingService> logger,
    EvaluationRunExecutor evaluations,
    IRunExecutor? executor = null) : BackgroundService
{
    /// <summary>The first queued run's memory estimate, kept while it waits so its config.json is read once; touched by the dispatcher only.</summary>
    (int RunId, long? Bytes)? _estimated;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (executor is null) logger.LogWarning("No run executor is registered: queued training runs wait until the studio runs with one.");
        logger.LogInformation("Training on {Devices}, {Runs} run(s) at a time on each.", string.Join(", ", devices.Devices.Select(d => d.Name)), devices.RunsPerDevice);
        var running = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            running.RemoveAll(run => run.IsCompleted);
            int? placed = null;
            try
            {
                // Placed outside the queue's lock: the queue only hands out the run, the devices decide where it fits.
                var next = await queue.PeekNextAsync(stoppingToken);
                var runExecutor = next is null ? null : ExecutorOf(next);
                if (next is null || runExecutor is null || Place(next) is not { Device: { } device } placement)
                {
                    await queue.WaitForWorkAsync(stoppingToken);
                    continue;
                }
                placed = next.RunId;
                var lease = await queue.StartAsync(next.RunId, stoppingToken);
                if (lease is null)
                {
                    // Cancelled, moved or deleted since it was looked at: the next look finds what is first now.
                    devices.Release(next.RunId);
                    continue;
                }
                running.Add(ExecuteRunAsync(runExecutor, lease with { Request = lease.Request with { Device = device } }, placement.Note, stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The queue's database is unreachable or similar: free what was placed but not taken, try again shortly.
                if (placed is { } runId) devices.Release(runId);
                logger.LogError(e, "The training dispatcher hit an error outside a run; it retries in a few seconds.");
                await PauseAsync(stoppingToken);
            }
        }
        await Task.WhenAll(running);
    }

    /// <summary>Who executes the run: evaluations are answered in this process; null when no training executor is registered.</summary>
    IRunExecutor? ExecutorOf(RunRequest request) => request.Evaluation is null ? executor : evaluations;

    /// <summary>Reserves a device for the first queued run, or announces why it waits.</summary>
    Placement Place(RunRequest request)
    {
        // Announced when the reason changes, not at every look (every few seconds while the run waits).
        string? before = devices.WaitingReason(request.RunId);
        var placement = devices.TryPlace(request.RunId, request.RunName, EstimateOf(request));
        if (placement.Device is null && placement.Note is { } reason && reason != before)
        {
            logger.LogInformation("Run {RunId} waits: {Reason}", request.RunId, reason);
            notifier.Publish(new RunUpdate(request.RunId, new StatusChanged(RunStatus.Queued, reason)));
        }
        return placement;
    }

    /// <summary>The run's memory estimate for local devices (a cluster places training runs itself).</summary>
    long? EstimateOf(RunRequest request)
    {
        if (ExecutorOf(request) is IClusterRunExecutor) return null;
        if (_estimated?.RunId != request.RunId)
            _estimated = (request.RunId, request.Settings is { } settings ? settings.MemoryEstimate(request.BaseModelFolder) : EvaluationRunExecutor.MemoryEstimate(request));
        return _estimated.Value.Bytes;
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

    async Task ExecuteRunAsync(IRunExecutor runExecutor, RunLease lease, string? placementNote, CancellationToken stoppingToken)
    {
        var request = lease.Request;
        logger.LogInformation("Run {RunId} ('{Name}') starts on {Device}.", request.RunId, request.RunName, request.Device?.Name);
        RunStatus status;
        RunOutcome? outcome = null;
        string? error = null;
        await using (var recorder = new RunRecorder(request.RunId, dbFactory, data.RunLog(request.RunId), clock, logger))
        {
            var progress = new RunProgress(request.RunId, recorder, notifier);
            try
            {
                if (placementNote is not null) progress.Report(new LogLine(placementNote));
                if (request.Evaluation is null) Directory.CreateDirectory(request.CheckpointsFolder);
                outcome = await OnDedicatedThread($"run-{request.RunId}", () => runExecutor.Execute(request, progress, lease.Cancellation.Token));
                status = RunStatus.Completed;
            }
            catch (OperationCanceledException) when (lease.Cancellation.IsCancellationRequested)
            {
                (status, error) = stoppingToken.IsCancellationRequested
                    ? (RunStatus.Interrupted, request.Evaluation is null
                        ? "The studio shut down during this run; resume it to continue from its last checkpoint."
                        : "The studio shut down during this run; resume it to answer the records it has not answered yet.")
                    : (RunStatus.Cancelled, null);
            }
            catch (RunInterruptedException e)
            {
                logger.LogWarning("Run {RunId} was interrupted: {Reason}", request.RunId, e.Message);
                (status, error) = (RunStatus.Interrupted, e.Message);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Run {RunId} failed.", request.RunId);
                (status, error) = (RunStatus.Failed, e.Message);
            }
        }
        // Free the device before the queue hears of the end, so the dispatcher it wakes finds the slot free.
        devices.Release(request.RunId);
        if (status == RunStatus.Completed && outcome is not null && request.Evaluation is null)
            await RegisterAdapterAsync(request, outcome);
        try
        {
            await queue.FinishAsync(lease, status, outcome, error);
            logger.LogInformation("Run {RunId} ended {Status}.", request.RunId, status);
            // A node failure or preemption while the studio runs; the runs a shutdown interrupted are resumed at the next start.
            if (status == RunStatus.Interrupted && !stoppingToken.IsCancellationRequested && options.Value.AutoResumeInterrupted)
                await ResumeInterruptedAsync(request.RunId);
        }
        catch (Exception e)
        {
            // Nobody awaits a run's task but the shutdown: say here what was lost.
            logger.LogError(e, "Run {RunId} ended {Status}, but that could not be recorded; the next start marks it Interrupted.", request.RunId, status);
        }
    }

    async Task ResumeInterruptedAsync(int runId)
    {
        var resumed = await queue.ResumeAsync(runId, Caller.Local);
        if (resumed.Failure is { } failure) logger.LogWarning("Run {RunId} was interrupted and could not be queued again: {Detail}", runId, failure.Detail);
        else logger.LogInformation("Run {RunId} was interrupted and is queued again (LoraLab:AutoResumeInterrupted).", runId);
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
