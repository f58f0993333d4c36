using System.Text.Json.Nodes;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Training;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Sweeps;

/// <summary>
/// Queues a sweep: every combination becomes a run queued through <see cref="RunQueue.CreateAsync"/>, checked as a
/// run is. Either all of them are queued or none: every combination is validated first and every error returned at
/// once, naming the combination and the field, and the queued-run quota is checked for all of them together.
/// </summary>
public sealed class SweepService(IDbContextFactory<LoraLabDbContext> dbFactory, RunQueue queue, Quotas quotas, SweepReader reader, TimeProvider clock)
{
    /// <summary>Between a sweep's name and a combination in its runs' names.</summary>
    public const string NameSeparator = " · ";

    public async Task<Result<SweepDetails>> CreateAsync(NewSweep request, Caller caller, CancellationToken cancellation = default)
    {
        var mode = request.Mode ?? SweepMode.Grid;
        int seed = request.Seed ?? Random.Shared.Next();
        var (points, errors) = SweepPlan.Expand(request.Settings, mode, request.Budget, seed);
        if (errors.Count == 0 && request.Method is { } method && MethodRegistry.Names.Contains(method))
            foreach (var (key, messages) in SweepFields.Check(request.Settings!, method)) errors[key] = messages;
        if (SweepMetric.Find(request.RankMetric ?? SweepMetric.Default) is null)
            errors["rankMetric"] = [$"Unknown metric '{request.RankMetric}': use one of {string.Join(", ", SweepMetric.All.Select(m => m.Name))}."];
        if (NameError(request.Name, points) is { } nameError) errors["name"] = [nameError];

        var configuration = request.Configuration ?? [];
        if (errors.Count > 0)
        {
            // The plan is wrong: still say what is wrong with the fields every run shares. The runs' names are the sweep's, checked above.
            foreach (var (key, messages) in await queue.ValidateAsync(RunOf(request, configuration, "sweep"), caller, cancellation))
                if (key != "name") errors.TryAdd(key, messages);
            return Failure.Invalid("The sweep is invalid", errors);
        }
        var runErrors = new SweepRunErrors(request.Settings!, points.Count);
        foreach (var point in points)
            runErrors.Add(point, await queue.ValidateAsync(RunOf(request, point.Apply(configuration), point.Label), caller, cancellation));
        runErrors.AddTo(errors);
        if (errors.Count > 0) return Failure.Invalid("The sweep is invalid", errors);
        if (await QuotaFailureAsync(caller, points.Count, cancellation) is { } overQuota) return overQuota;

        var runIds = new List<int>();
        foreach (var point in points)
        {
            var created = await queue.CreateAsync(RunOf(request, point.Apply(configuration), point.Label), caller, cancellation);
            if (created.Failure is { } failure) return await UndoAsync(runIds, failure, points.Count, point.Label, caller);
            runIds.Add(created.Value!.Id);
        }
        int sweepId = await SaveAsync(request, mode, seed, runIds, caller, cancellation);
        return (await reader.GetAsync(sweepId, CancellationToken.None))!;
    }

    /// <summary>
    /// Deletes a sweep with its runs (as deleting each run does: metrics, checkpoints, folders, logs; adapters they
    /// produced stay). Refused while one of them runs; owners and admins only.
    /// </summary>
    public async Task<Result<SweepSummary>> DeleteAsync(int sweepId, Caller caller, CancellationToken cancellation = default)
    {
        if (await reader.GetAsync(sweepId, cancellation) is not { } details) return Failure.NotFound("Sweep", sweepId);
        var sweep = details.Sweep;
        if (!caller.CanChange(sweep.Owner))
            return Failure.Forbidden("The sweep is not yours", $"Sweep {sweepId} ('{sweep.Name}') belongs to another user; only they and admins can delete it.");
        if (details.Runs.FirstOrDefault(r => r.Status == RunStatus.Running) is { } running)
            return Failure.Conflict("A run of the sweep is running",
                $"Run {running.RunId} ('{running.Name}') of sweep '{sweep.Name}' is running; cancel it before deleting the sweep.");
        foreach (var run in details.Runs)
            if ((await queue.DeleteAsync(run.RunId, caller, cancellation)).Failure is { } failure and not { Kind: FailureKind.NotFound })
                return failure with { Detail = $"{failure.Detail} The sweep and its other runs were kept." };
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        await db.Sweeps.Where(s => s.Id == sweepId).ExecuteDeleteAsync(CancellationToken.None);
        db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.SweepDeleted, $"sweep {sweepId} '{sweep.Name}' and its {details.Runs.Count} run(s)", clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(CancellationToken.None);
        return sweep;
    }

    /// <summary>The name of the run of combination <paramref name="label"/> in sweep <paramref name="sweepName"/>.</summary>
    public static string RunName(string sweepName, string label) => $"{sweepName.Trim()}{NameSeparator}{label}";

    static NewRun RunOf(NewSweep request, JsonObject configuration, string label) =>
        new(string.IsNullOrWhiteSpace(request.Name) ? request.Name : RunName(request.Name, label), request.BaseModelId, request.DatasetId, request.Method, configuration);

    static string? NameError(string? name, IReadOnlyList<SweepPoint> points)
    {
        if (string.IsNullOrWhiteSpace(name)) return "A sweep needs a name; its runs are named after it.";
        var longest = points.Select(p => RunName(name, p.Label)).MaxBy(n => n.Length);
        return longest is not null && longest.Length > RunQueue.MaxNameLength
            ? $"The runs' names would have up to {longest.Length} characters ('{longest}'); at most {RunQueue.MaxNameLength} are allowed: shorten the sweep's name."
            : null;
    }

    async Task<Failure?> QuotaFailureAsync(Caller caller, int runs, CancellationToken cancellation)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return await quotas.CheckQueueAsync(db, caller.UserId, caller.UserName, runs, cancellation);
    }

    /// <summary>
    /// A run was refused after the checks passed (the quota or a dataset changed meanwhile): the runs queued before it
    /// are cancelled and deleted, so that no partial sweep is left.
    /// </summary>
    async Task<Failure> UndoAsync(List<int> runIds, Failure failure, int runCount, string label, Caller caller)
    {
        foreach (int runId in runIds)
        {
            await queue.CancelAsync(runId, caller, CancellationToken.None);
            await queue.DeleteAsync(runId, caller, CancellationToken.None);
        }
        string undone = runIds.Count == 0 ? "" : $" The {runIds.Count} run(s) queued before it were cancelled and deleted.";
        return failure with { Detail = $"Run {runIds.Count + 1} of {runCount} ({label}) could not be queued: {failure.Detail}{undone}" };
    }

    async Task<int> SaveAsync(NewSweep request, SweepMode mode, int seed, List<int> runIds, Caller caller, CancellationToken cancellation)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var sweep = new Sweep
        {
            Name = request.Name!.Trim(), Owner = caller.UserId, CreatedAt = clock.GetUtcNow().UtcDateTime,
            BaseModelId = request.BaseModelId!.Value, DatasetId = request.DatasetId, MethodKind = request.Method!,
            ConfigurationJson = (request.Configuration ?? []).ToJsonString(), SettingsJson = SweepReader.WriteSettings(request.Settings!),
            Mode = mode, Budget = mode == SweepMode.Random ? request.Budget : null, Seed = mode == SweepMode.Random ? seed : null,
            RankMetric = request.RankMetric ?? SweepMetric.Default,
        };
        db.Sweeps.Add(sweep);
        await db.SaveChangesAsync(CancellationToken.None);
        // Only this column: a worker may be starting one of the runs meanwhile and owns the others.
        await db.Runs.Where(r => runIds.Contains(r.Id)).ExecuteUpdateAsync(s => s.SetProperty(r => r.SweepId, sweep.Id), CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        return sweep.Id;
    }
}
