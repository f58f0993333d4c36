using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Accounts;

/// <summary>A user's limits as they apply: their own, or the defaults of LoraLab:Accounts; null means no limit.</summary>
public sealed record UserQuota(int? MaxQueuedRuns, long? MaxStorageBytes);

/// <summary>
/// Per-user quotas: runs waiting in the queue (checked when a run is queued or resumed) and bytes of datasets and
/// adapters kept (checked when a dataset is uploaded, and when a run that will write an adapter is queued).
/// </summary>
public sealed class Quotas(IOptions<AccountsOptions> options)
{
    public async Task<UserQuota> OfAsync(LoraLabDbContext db, string userId, CancellationToken cancellation = default)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.MaxQueuedRuns, u.MaxStorageBytes }).FirstOrDefaultAsync(cancellation);
        return new UserQuota(user?.MaxQueuedRuns ?? options.Value.DefaultMaxQueuedRuns, user?.MaxStorageBytes ?? options.Value.DefaultMaxStorageBytes);
    }

    /// <summary>The bytes of the user's dataset files and adapter folders.</summary>
    public static async Task<long> StorageUsedAsync(LoraLabDbContext db, string userId, CancellationToken cancellation = default) =>
        await db.Datasets.Where(d => d.Owner == userId).SumAsync(d => d.SizeBytes, cancellation)
        + await db.Adapters.Where(a => a.Owner == userId).SumAsync(a => a.SizeBytes, cancellation);

    /// <summary>Bytes the user may still store, or null without a limit.</summary>
    public async Task<long?> StorageLeftAsync(LoraLabDbContext db, string userId, CancellationToken cancellation = default) =>
        (await OfAsync(db, userId, cancellation)).MaxStorageBytes is { } max
            ? Math.Max(0, max - await StorageUsedAsync(db, userId, cancellation))
            : null;

    /// <summary>Why one more run of <paramref name="userId"/> may not be queued, or null when it may.</summary>
    public async Task<Failure?> CheckQueueAsync(LoraLabDbContext db, string userId, string userName, CancellationToken cancellation = default)
    {
        var quota = await OfAsync(db, userId, cancellation);
        if (quota.MaxQueuedRuns is { } maxQueued)
        {
            int queued = await db.Runs.CountAsync(r => r.Owner == userId && r.Status == RunStatus.Queued, cancellation);
            if (queued >= maxQueued)
                return Failure.Conflict("Queued-run quota reached",
                    $"'{userName}' has {queued} run(s) queued and may have at most {maxQueued}: cancel one or wait until one starts (an admin can raise the quota).");
        }
        if (quota.MaxStorageBytes is { } maxBytes && await StorageUsedAsync(db, userId, cancellation) is var used && used >= maxBytes)
            return StorageFull(userName, used, maxBytes);
        return null;
    }

    public static Failure StorageFull(string userName, long used, long maxBytes) =>
        Failure.Conflict("Storage quota reached",
            $"'{userName}' keeps {used:N0} bytes of datasets and adapters and may keep at most {maxBytes:N0}: delete some (an admin can raise the quota).");
}
