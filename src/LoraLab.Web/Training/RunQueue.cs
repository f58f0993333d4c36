using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Training;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Training;

/// <summary>
/// The persistent run queue and every change of a run's status: queued runs carry a 1-based position and are taken
/// first-in first-out by the training workers; a run is queued at its owner's fair place (<see cref="FairQueue"/>),
/// within the owner's quota. Queued runs can be moved (by admins) or cancelled, a running run cancelled, and an
/// interrupted, failed or cancelled one resumed from its last checkpoint; only a run's owner and admins change it, and
/// each change is audited. One lock orders all status changes, so a cancel never races a worker taking the same run.
/// </summary>
public sealed class RunQueue(
    IDbContextFactory<LoraLabDbContext> dbFactory, DataFolder data, TrainingNotifier notifier, Quotas quotas, TimeProvider clock)
{
    public const int MaxNameLength = 200;

    static readonly RunStatus[] Resumable = [RunStatus.Interrupted, RunStatus.Failed, RunStatus.Cancelled];

    readonly SemaphoreSlim _lock = new(1, 1);
    readonly SemaphoreSlim _workAvailable = new(0);
    readonly Dictionary<int, CancellationTokenSource> _running = [];

    DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Validates every field (a failure names each wrong one), checks the caller's quotas and queues the run, owned by
    /// the caller, at their fair place.
    /// </summary>
    public async Task<Result<RunSummary>> CreateAsync(NewRun request, Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var (errors, settings) = await ValidateAsync(db, request, caller, cancellation);
        if (errors.Count > 0 || settings is null) return Failure.Invalid("The run is invalid", errors);

        return await QueueAsync(db, new Run
        {
            Name = request.Name!.Trim(), BaseModelId = request.BaseModelId!.Value, DatasetId = request.DatasetId!.Value,
            MethodKind = settings.Method.Method, ConfigurationJson = settings.ToConfiguration().ToJsonString(),
            Status = RunStatus.Queued, Owner = caller.UserId, CreatedAt = Now,
        }, caller, cancellation);
    }

    /// <summary>
    /// Queues an evaluation run, owned by the caller, at their fair place and within their quotas: what it answers was
    /// checked by the <see cref="Evaluations.Evaluator"/> that asks for it.
    /// </summary>
    public async Task<Result<RunSummary>> CreateEvaluationAsync(string name, int baseModelId, int datasetId, Evaluations.EvaluationRunSpec spec,
        Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return await QueueAsync(db, new Run
        {
            Name = name.Length > MaxNameLength ? name[..MaxNameLength] : name, Kind = RunKind.Evaluation, BaseModelId = baseModelId, DatasetId = datasetId,
            MethodKind = Evaluations.EvaluationRunSpec.MethodKind, ConfigurationJson = spec.ToConfiguration().ToJsonString(),
            Status = RunStatus.Queued, Owner = caller.UserId, CreatedAt = Now,
        }, caller, cancellation);
    }

    async Task<Result<RunSummary>> QueueAsync(LoraLabDbContext db, Run run, Caller caller, CancellationToken cancellation)
    {
        var failure = await WithLockAsync(async () =>
        {
            if (await quotas.CheckQueueAsync(db, caller.UserId, caller.UserName, cancellation) is { } refused) return refused;
            await EnqueueAsync(db, run, cancellation);
            db.Runs.Add(run);
            await db.SaveChangesAsync(cancellation);
            db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.RunLaunched, Subject(run), Now));
            await db.SaveChangesAsync(CancellationToken.None);
            return null;
        }, cancellation);
        if (failure is not null) return failure;
        _workAvailable.Release();
        Announce(run.Id, RunStatus.Queued, $"Queued at position {run.QueuePosition}.");
        return (await SummaryAsync(db, run.Id))!;
    }

    /// <summary>The field errors <see cref="CreateAsync"/> would refuse <paramref name="request"/> with; empty when it would queue it, quotas allowing.</summary>
    public async Task<IReadOnlyDictionary<string, string[]>> ValidateAsync(NewRun request, Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return (await ValidateAsync(db, request, caller, cancellation)).Errors;
    }

    /// <summary>
    /// Cancels a queued or interrupted run at once; asks a running run's executor to stop (the summary still says
    /// Running, and the worker records Cancelled when the executor returns). Its checkpoints stay.
    /// </summary>
    public async Task<Result<RunSummary>> CancelAsync(int runId, Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        RunSummary? stopping = null;
        var failure = await WithLockAsync(async () =>
        {
            var run = await db.Runs.FindAsync([runId], cancellation);
            if (run is null) return Failure.NotFound("Run", runId);
            if (NotYours(run, caller, "cancel") is { } refused) return refused;
            switch (run.Status)
            {
                case RunStatus.Running when _running.TryGetValue(runId, out var running):
                    db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.RunCancelled, Subject(run), Now));
                    await db.SaveChangesAsync(CancellationToken.None);
                    await running.CancelAsync();
                    // Read while the lock keeps the worker from recording the end: the caller learns it is stopping.
                    stopping = await SummaryAsync(db, runId);
                    return null;
                case RunStatus.Queued or RunStatus.Interrupted:
                    var queued = await QueuedAsync(db, cancellation);
                    queued.Remove(run);
                    Renumber(queued);
                    (run.Status, run.QueuePosition, run.FinishedAt) = (RunStatus.Cancelled, null, Now);
                    db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.RunCancelled, Subject(run), Now));
                    await db.SaveChangesAsync(CancellationToken.None);
                    Announce(runId, RunStatus.Cancelled, null);
                    return null;
                default:
                    return Failure.Conflict("The run cannot be cancelled",
                        $"Run {runId} ('{run.Name}') is {run.Status}; only queued, running or interrupted runs can be cancelled.");
            }
        }, cancellation);
        return stopping ?? await ResultAsync(db, runId, failure);
    }

    /// <summary>
    /// Queues an interrupted, failed or cancelled run again, at its owner's fair place and within their quotas, to
    /// continue from its latest checkpoint (or from scratch without one).
    /// </summary>
    public async Task<Result<RunSummary>> ResumeAsync(int runId, Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var failure = await WithLockAsync(async () =>
        {
            var run = await db.Runs.Include(r => r.OwnerUser).FirstOrDefaultAsync(r => r.Id == runId, cancellation);
            if (run is null) return Failure.NotFound("Run", runId);
            if (NotYours(run, caller, "resume") is { } refused) return refused;
            if (!Resumable.Contains(run.Status))
                return Failure.Conflict("The run cannot be resumed",
                    $"Run {runId} ('{run.Name}') is {run.Status}; only interrupted, failed or cancelled runs can be resumed.");
            if (run.DatasetId is null)
                return Failure.Conflict("The run cannot be resumed", $"The dataset of run {runId} ('{run.Name}') was deleted.");
            if (await quotas.CheckQueueAsync(db, run.Owner, run.OwnerUser.UserName ?? run.Owner, cancellation) is { } overQuota) return overQuota;

            var checkpoints = await db.Checkpoints.Where(c => c.RunId == runId).OrderByDescending(c => c.Step).ToListAsync(cancellation);
            var resumeFrom = checkpoints.FirstOrDefault(c => Directory.Exists(c.Path));
            int keptSteps = resumeFrom?.Step ?? 0;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellation);
            // The steps after the checkpoint will be trained again: drop their points so the curve does not double back.
            await db.RunMetrics.Where(m => m.RunId == runId && m.Step > keptSteps).ExecuteDeleteAsync(cancellation);
            db.Checkpoints.RemoveRange(checkpoints.Where(c => c.Step > keptSteps));
            await EnqueueAsync(db, run, cancellation);
            run.Status = RunStatus.Queued;
            run.ResumeFromStep = resumeFrom?.Step;
            (run.ErrorMessage, run.FinishedAt, run.TrainLoss, run.EvalLoss, run.Perplexity, run.TokensPerSecond) = (null, null, null, null, null, null);
            db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.RunResumed, Subject(run), Now));
            await db.SaveChangesAsync(cancellation);
            await transaction.CommitAsync(cancellation);
            _workAvailable.Release();
            Announce(runId, RunStatus.Queued, run.Kind == RunKind.Evaluation ? "Queued to answer the records it has not answered yet."
                : resumeFrom is null ? "Queued to start again from scratch." : $"Queued to resume from step {resumeFrom.Step}.");
            return null;
        }, cancellation);
        return await ResultAsync(db, runId, failure);
    }

    /// <summary>Resumes every interrupted run, in the order they were created (LoraLab:AutoResumeInterrupted), as the studio's local account.</summary>
    public async Task<IReadOnlyList<int>> ResumeInterruptedAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var interrupted = await db.Runs.Where(r => r.Status == RunStatus.Interrupted).OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(cancellation);
        var resumed = new List<int>();
        foreach (int runId in interrupted)
            if ((await ResumeAsync(runId, Caller.Local, cancellation)).Failure is null) resumed.Add(runId);
        return resumed;
    }

    /// <summary>Moves a queued run to <paramref name="position"/> (1 is next; past the end means last). Admins only: members' runs keep their fair places.</summary>
    public async Task<Result<RunSummary>> MoveAsync(int runId, int position, Caller caller, CancellationToken cancellation = default)
    {
        if (!caller.IsAdmin)
            return Failure.Forbidden("Only admins reorder the queue", "The queue takes turns between users; an admin can move a run ahead when it matters.");
        if (position < 1) return Failure.InvalidField("position", $"The queue position must be 1 or more, got {position}.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var failure = await WithLockAsync(async () =>
        {
            var run = await db.Runs.FindAsync([runId], cancellation);
            if (run is null) return Failure.NotFound("Run", runId);
            if (run.Status != RunStatus.Queued)
                return Failure.Conflict("The run is not queued", $"Run {runId} ('{run.Name}') is {run.Status}; only queued runs can be moved.");
            var queued = await QueuedAsync(db, cancellation);
            queued.Remove(run);
            queued.Insert(Math.Min(position, queued.Count + 1) - 1, run);
            Renumber(queued);
            db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.RunMoved, $"{Subject(run)} to position {run.QueuePosition}", Now));
            await db.SaveChangesAsync(CancellationToken.None);
            Announce(runId, RunStatus.Queued, $"Moved to position {run.QueuePosition}.");
            return null;
        }, cancellation);
        return await ResultAsync(db, runId, failure);
    }

    /// <summary>Deletes a run that is not running, with its metrics, checkpoints, run folder and log; its adapter stays. Owners and admins only.</summary>
    public async Task<Result<RunSummary>> DeleteAsync(int runId, Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var summary = await SummaryAsync(db, runId);
        if (summary is null) return Failure.NotFound("Run", runId);
        var failure = await WithLockAsync(async () =>
        {
            var run = await db.Runs.FindAsync([runId], cancellation);
            if (run is null) return Failure.NotFound("Run", runId);
            if (NotYours(run, caller, "delete") is { } refused) return refused;
            if (run.Status == RunStatus.Running)
                return Failure.Conflict("The run is running", $"Run {runId} ('{run.Name}') is running; cancel it before deleting it.");
            var queued = await QueuedAsync(db, cancellation);
            queued.Remove(run);
            Renumber(queued);
            db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.RunDeleted, Subject(run), Now));
            await db.SaveChangesAsync(CancellationToken.None);
            await db.Runs.Where(r => r.Id == runId).ExecuteDeleteAsync(CancellationToken.None);
            return null;
        }, cancellation);
        if (failure is not null) return failure;
        DataFiles.Delete(data.RunFolder(runId));
        DataFiles.Delete(data.RunLog(runId));
        // A registered adapter outlives its run; a partial one left by a failed run does not.
        string adapterFolder = data.AdapterFolderOfRun(runId);
        if (!await db.Adapters.AnyAsync(a => a.Folder == adapterFolder, CancellationToken.None)) DataFiles.Delete(adapterFolder);
        return summary;
    }

    /// <summary>Marks the runs a previous process left Running as Interrupted. Called at start-up, before any worker starts.</summary>
    public async Task<IReadOnlyList<int>> MarkInterruptedAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var lost = await db.Runs.Where(r => r.Status == RunStatus.Running).ToListAsync(cancellation);
        foreach (var run in lost)
            (run.Status, run.ErrorMessage) = (RunStatus.Interrupted, run.Kind == RunKind.Evaluation
                ? "The studio stopped while this run was answering; resume it to answer the records it has not answered yet."
                : "The studio stopped while this run was training; resume it to continue from its last checkpoint.");
        await db.SaveChangesAsync(cancellation);
        return lost.Select(r => r.Id).ToList();
    }

    /// <summary>
    /// The first queued run as its executor will see it, for the dispatcher to place; null when the queue is empty. It
    /// stays queued: <see cref="StartAsync"/> takes it. A run whose stored settings no longer read fails here, naming why.
    /// </summary>
    internal async Task<RunRequest?> PeekNextAsync(CancellationToken stopping)
    {
        await using var db = await dbFactory.CreateDbContextAsync(stopping);
        while (true)
        {
            if ((await QueuedAsync(db, stopping)).FirstOrDefault() is not { } run) return null;
            try
            {
                return await RequestOfAsync(db, run, stopping);
            }
            catch (Exception e) when (e is TrainingConfigException or JsonException)
            {
                await FailUnreadableAsync(run.Id, e.Message, stopping);
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>
    /// Marks the run Running if it is still the first queued run (it may have been cancelled, moved or deleted since
    /// it was peeked), and gives its lease; null otherwise.
    /// </summary>
    internal async Task<RunLease?> StartAsync(int runId, CancellationToken stopping)
    {
        await using var db = await dbFactory.CreateDbContextAsync(stopping);
        return await WithLockAsync(async () =>
        {
            var queued = await QueuedAsync(db, stopping);
            if (queued.Count == 0 || queued[0].Id != runId) return null;
            var run = queued[0];
            var request = await RequestOfAsync(db, run, stopping);
            queued.RemoveAt(0);
            Renumber(queued);
            (run.Status, run.QueuePosition, run.StartedAt) = (RunStatus.Running, null, Now);
            await db.SaveChangesAsync(CancellationToken.None);
            // Another device may take the next one.
            if (queued.Count > 0) _workAvailable.Release();

            var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            _running[run.Id] = cancellation;
            Announce(run.Id, RunStatus.Running, request.ResumeFromStep is { } step ? $"Resuming from step {step}." : null);
            return new RunLease(request, cancellation);
        }, stopping);
    }

    async Task FailUnreadableAsync(int runId, string reason, CancellationToken stopping)
    {
        await using var db = await dbFactory.CreateDbContextAsync(stopping);
        string error = $"The run's stored configuration cannot be read: {reason}";
        bool failed = await WithLockAsync(async () =>
        {
            var queued = await QueuedAsync(db, stopping);
            if (queued.FirstOrDefault(r => r.Id == runId) is not { } run) return false;
            queued.Remove(run);
            Renumber(queued);
            (run.Status, run.QueuePosition, run.ErrorMessage, run.FinishedAt) = (RunStatus.Failed, null, error, Now);
            await db.SaveChangesAsync(CancellationToken.None);
            return true;
        }, stopping);
        if (failed) Announce(runId, RunStatus.Failed, error);
    }

    /// <summary>Waits until a run is queued, resumed or ends (freeing its device), or a few seconds pass.</summary>
    internal async Task WaitForWorkAsync(CancellationToken stopping) => await _workAvailable.WaitAsync(TimeSpan.FromSeconds(5), stopping);

    /// <summary>Records how a taken run ended: its status, final metrics and error message; its device is free for the next run.</summary>
    internal async Task FinishAsync(RunLease lease, RunStatus status, RunOutcome? outcome, string? error)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await WithLockAsync(async () =>
        {
            _running.Remove(lease.RunId);
            lease.Cancellation.Dispose();
            var run = await db.Runs.FindAsync(lease.RunId);
            if (run is null) return 0;
            (run.Status, run.ErrorMessage, run.ResumeFromStep) = (status, error, null);
            run.FinishedAt = status == RunStatus.Interrupted ? null : Now;
            (run.TrainLoss, run.EvalLoss, run.Perplexity, run.TokensPerSecond) =
                (outcome?.TrainLoss, outcome?.EvalLoss, outcome?.Perplexity, outcome?.TokensPerSecond);
            await db.SaveChangesAsync();
            return 0;
        }, CancellationToken.None);
        _workAvailable.Release();
        Announce(lease.RunId, status, error);
    }

    async Task<T> WithLockAsync<T>(Func<Task<T>> action, CancellationToken cancellation)
    {
        await _lock.WaitAsync(cancellation);
        try
        {
            return await action();
        }
        finally
        {
            _lock.Release();
        }
    }

    Task WithLockAsync(Func<Task> action, CancellationToken cancellation) =>
        WithLockAsync(async () => { await action(); return 0; }, cancellation);

    static async Task<List<Run>> QueuedAsync(LoraLabDbContext db, CancellationToken cancellation) =>
        (await db.Runs.Where(r => r.Status == RunStatus.Queued).ToListAsync(cancellation))
            .Where(r => r.Status == RunStatus.Queued) // tracked runs changed but not yet saved
            .OrderBy(r => r.QueuePosition).ThenBy(r => r.Id).ToList();

    /// <summary>Sets the run's queue position to its owner's fair place and renumbers the runs after it.</summary>
    static async Task EnqueueAsync(LoraLabDbContext db, Run run, CancellationToken cancellation)
    {
        var queued = await QueuedAsync(db, cancellation);
        var owners = queued.Select(r => r.Owner).Append(run.Owner).Distinct().ToList();
        var lastServed = (await db.Runs.Where(r => r.StartedAt != null && owners.Contains(r.Owner))
                .Select(r => new { r.Owner, r.StartedAt }).ToListAsync(cancellation))
            .GroupBy(r => r.Owner).ToDictionary(g => g.Key, g => g.Max(r => r.StartedAt!.Value));
        queued.Insert(FairQueue.InsertionIndex(queued.Select(r => r.Owner).ToList(), run.Owner, lastServed), run);
        Renumber(queued);
    }

    static Failure? NotYours(Run run, Caller caller, string verb) => caller.CanChange(run.Owner)
        ? null
        : Failure.Forbidden("The run is not yours", $"Run {run.Id} ('{run.Name}') belongs to another user; only they and admins can {verb} it.");

    static string Subject(Run run) => $"run {run.Id} '{run.Name}'";

    static void Renumber(List<Run> queued)
    {
        for (int i = 0; i < queued.Count; i++) queued[i].QueuePosition = i + 1;
    }

    static async Task<Result<RunSummary>> ResultAsync(LoraLabDbContext db, int runId, Failure? failure) =>
        failure is null ? (await SummaryAsync(db, runId))! : failure;

    static Task<RunSummary?> SummaryAsync(LoraLabDbContext db, int runId) =>
        db.Runs.AsNoTracking().Where(r => r.Id == runId).Summaries().FirstOrDefaultAsync();

    void Announce(int runId, RunStatus status, string? message) => notifier.Publish(new RunUpdate(runId, new StatusChanged(status, message)));

    /// <exception cref="TrainingConfigException">The run's stored configuration does not read.</exception>
    /// <exception cref="JsonException">It is not JSON.</exception>
    async Task<RunRequest> RequestOfAsync(LoraLabDbContext db, Run run, CancellationToken cancellation)
    {
        await db.Entry(run).Reference(r => r.BaseModel).LoadAsync(cancellation);
        await db.Entry(run).Reference(r => r.Dataset).LoadAsync(cancellation);
        var resumeFrom = run.ResumeFromStep is { } step
            ? await db.Checkpoints.FirstOrDefaultAsync(c => c.RunId == run.Id && c.Step == step, cancellation)
            : null;
        var stored = JsonNode.Parse(run.ConfigurationJson) as JsonObject ?? [];
        bool evaluates = run.Kind == RunKind.Evaluation;
        return new RunRequest(run.Id, run.Name, run.BaseModel.Folder, run.Dataset?.FilePath ?? "", evaluates ? null : RunSettings.FromStored(stored, run.MethodKind),
            data.RunFolder(run.Id), data.CheckpointsFolder(run.Id), data.AdapterFolderOfRun(run.Id), resumeFrom?.Path, resumeFrom?.Step)
        {
            Evaluation = evaluates ? Evaluations.EvaluationRunSpec.FromStored(stored) : null,
            Owner = run.Owner, BaseModelId = run.BaseModelId, DatasetId = run.DatasetId,
        };
    }

    /// <summary>Every wrong field of the request, and its settings as read (null when they cannot be read).</summary>
    async Task<(Dictionary<string, string[]> Errors, RunSettings? Settings)> ValidateAsync(
        LoraLabDbContext db, NewRun request, Caller caller, CancellationToken cancellation)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name))
            errors["name"] = ["A run needs a name."];
        else if (request.Name.Trim().Length > MaxNameLength)
            errors["name"] = [$"The name has {request.Name.Trim().Length} characters; at most {MaxNameLength} are allowed."];

        BaseModel? model = null;
        if (request.BaseModelId is not { } modelId)
            errors["baseModelId"] = ["A run needs a base model: give the id of one from GET /api/models."];
        else if ((model = await db.BaseModels.FindAsync([modelId], cancellation)) is null)
            errors["baseModelId"] = [$"There is no base model with id {modelId}."];
        else if (model.Error is { } error)
            errors["baseModelId"] = [$"Base model {modelId} ('{model.Name}') cannot be used: {error}"];

        if (request.DatasetId is not { } datasetId)
            errors["datasetId"] = ["A run needs a dataset: give the id of one from GET /api/datasets."];
        else if (await db.Datasets.FindAsync([datasetId], cancellation) is not { } dataset)
            errors["datasetId"] = [$"There is no dataset with id {datasetId}."];
        else if (!Datasets.DatasetStore.CanRead(caller, dataset))
            errors["datasetId"] = [$"Dataset {datasetId} is another user's private dataset; train on one of yours."];
        else if (!File.Exists(dataset.FilePath))
            errors["datasetId"] = [$"The file of dataset {datasetId} ('{dataset.Name}') is missing: {dataset.FilePath}."];
        else if (dataset.Benchmark is { } benchmark)
            errors["datasetId"] = [$"Dataset {datasetId} ('{dataset.Name}') is a multiple-choice benchmark ({benchmark}): evaluate adapters on it from the leaderboard; train on records."];

        if (string.IsNullOrWhiteSpace(request.Method))
            errors["method"] = [$"A run needs a method: one of {string.Join(", ", MethodRegistry.Names)}."];
        else if (!MethodRegistry.Names.Contains(request.Method))
            errors["method"] = [$"Unknown method '{request.Method}': use one of {string.Join(", ", MethodRegistry.Names)}."];
        else
        {
            // Read strictly and checked as the new-run page checks it (against the model when its config.json reads).
            var (settings, settingErrors) = RunSettings.Read(request.Configuration, request.Method);
            foreach (var error in settings?.Check(ConfigOf(model)) ?? settingErrors)
                errors[error.Key] = [error.Message];
            return (errors, settings);
        }
        return (errors, null);
    }

    static ModelConfig? ConfigOf(BaseModel? model)
    {
        if (model is not { Error: null }) return null;
        try { return ModelConfig.Load(model.Folder); }
        catch (Exception e) when (e is ModelConfigException or IOException) { return null; }   // the model page already reports it; the run will too
    }
}
