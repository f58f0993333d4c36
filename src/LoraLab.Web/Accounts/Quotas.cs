using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Accounts;

/// <summary>A user's limits as they apply: their own, or the defaults of LoraLab:Accounts; null means no limit.</summary>
public sealed record UserQuota(int? MaxQueuedRuns, long? MaxStorageBytes);

/// <summary>
/// Per-user quotas: runs waiting in the queue (checked when a run is queued or resumed) and bytes of datasets,
/// adapters and merged models kept (checked when a dataset is uploaded, an adapter imported or combined, an adapter
/// merged into a model, and when a run that will write an adapter is queued).
/// </summary>
public sealed class Quotas(IOptions<AccountsOptions> options, IDbContextFactory<LoraLabDbContext> dbFactory)
{
    public async Task<UserQuota> OfAsync(LoraLabDbContext db, string userId, CancellationToken cancellation = default)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.MaxQueuedRuns, u.MaxStorageBytes }).FirstOrDefaultAsync(cancellation);
        return new UserQuota(user?.MaxQueuedRuns ?? options.Value.DefaultMaxQueuedRuns, user?.MaxStorageBytes ?? options.Value.DefaultMaxStorageBytes);
    }

    /// <summary>The bytes of the user's dataset files, adapter folders and merged model folders.</summary>
    public static async Task<long> StorageUsedAsync(LoraLabDbContext db, string userId, CancellationToken cancellation = default) =>
        await db.Datasets.Where(d => d.Owner == userId).SumAsync(d => d.SizeBytes, cancellation)
        + await db.Adapters.Where(a => a.Owner == userId).SumAsync(a => a.SizeBytes, cancellation)
        + await db.BaseModels.Where(m => m.Owner == userId).SumAsync(m => m.SizeBytes ?? 0, cancellation);

    /// <summary>Bytes the user may still store, or null without a limit.</summary>
    public async Task<long?> StorageLeftAsync(LoraLabDbContext db, string userId, CancellationToken cancellation = default) =>
        (await OfAsync(db, userId, cancellation)).MaxStorageBytes is { } max
            ? Math.Max(0, max - await StorageUsedAsync(db, userId, cancellation))
            : null;

    /// <summary>
    /// Why <paramref name="bytes"/> more may not be stored for <paramref name="caller"/>, or null when they fit; with
    /// 0 bytes, whether anything at all may still be stored (checked before slow work that will store something).
    /// </summary>
    public async Task<Failure?> CheckStorageAsync(LoraLabDbContext db, Caller caller, long bytes, CancellationToken cancellation = default)
    {
        if ((await OfAsync(db, caller.UserId, cancellation)).MaxStorageBytes is not { } max) return null;
        long used = await StorageUsedAsync(db, caller.UserId, cancellation);
        return used >= max || bytes > max - used ? StorageFull(caller.UserName, used, max) : null;
    }

    /// <inheritdoc cref="CheckStorageAsync(LoraLabDbContext, Caller, long, CancellationToken)"/>
    public async Task<Failure?> CheckStorageAsync(Caller caller, long bytes, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return await CheckStorageAsync(db, caller, bytes, cancellation);
    }

    /// <summary>Why one more run of <paramref name="userId"/> may not be queued, or null when it may.</summary>
    public Task<Failure?> CheckQueueAsync(LoraLabDbContext db, string userId, string userName, CancellationToken cancellation = default) =>
        CheckQueueAsync(db, userId, userName, runs: 1, cancellation);

    /// <summary>Why <paramref name="runs"/> more runs of <paramref name="userId"/> (a sweep's, when more than one) may not be queued, or null when they may.</summary>
    public async Task<Failure?> CheckQueueAsync(LoraLabDbContext db, string userId, string userName, int runs, CancellationToken cancellation = default)
    {
        var quota = await OfAsync(db, userId, cancellation);
        if (quota.MaxQueuedRuns is { } maxQueued)
        {
            int queued = await db.Runs.CountAsync(r => r.Owner == userId && r.Status == RunStatus.Queued, cancellation);
            if (queued + runs > maxQueued)
                return Failure.Conflict("Queued-run quota reached", runs == 1
                    ? $"'{userName}' has {queued} run(s) queued and may have at most {maxQueued}: cancel one or wait until one starts (an admin can raise the quota)."
                    : $"The sweep queues {runs} runs, but '{userName}' has {queued} queued and may have at most {maxQueued}: sweep fewer combinations or wait until some start (an admin can raise the quota).");
        }
        if (quota.MaxStorageBytes is { } maxBytes && await StorageUsedAsync(db, userId, cancellation) is var used && used >= maxBytes)
            return StorageFull(userName, used, maxBytes);
        return null;
    }

    public static Failure StorageFull(string userName, long used, long maxBytes) =>
        Failure.Conflict("Storage quota reached",
            $"'{userName}' keeps {used:N0} bytes of datasets, adapters and merged models and may keep at most {maxBytes:N0}: delete some (an admin can raise the quota).");
}
