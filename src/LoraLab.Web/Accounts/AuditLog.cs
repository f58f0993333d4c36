using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Accounts;

public sealed record AuditRecord(long Id, DateTime At, string UserId, string UserName, AuditAction Action, string Subject);

/// <summary>
/// The audit log: who launched, cancelled, deleted or downloaded what, and every account change. Stores add their
/// entry to the same SaveChanges as the change it records (<see cref="Entry"/>); the rest goes through <see cref="RecordAsync"/>.
/// </summary>
public sealed class AuditLog(IDbContextFactory<LoraLabDbContext> dbFactory, TimeProvider clock)
{
    public const int DefaultLimit = 500;

    public static AuditEntry Entry(Caller caller, AuditAction action, string subject, DateTime at) =>
        new() { At = at, UserId = caller.UserId, UserName = caller.UserName, Action = action, Subject = subject };

    public async Task RecordAsync(Caller caller, AuditAction action, string subject, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        db.AuditEntries.Add(Entry(caller, action, subject, clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(cancellation);
    }

    /// <summary>The newest <paramref name="limit"/> entries, optionally of one user or one action, newest first.</summary>
    public async Task<IReadOnlyList<AuditRecord>> ListAsync(
        string? userId = null, AuditAction? action = null, int limit = DefaultLimit, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var entries = db.AuditEntries.AsNoTracking();
        if (userId is not null) entries = entries.Where(e => e.UserId == userId);
        if (action is { } only) entries = entries.Where(e => e.Action == only);
        return await entries.OrderByDescending(e => e.Id).Take(limit)
            .Select(e => new AuditRecord(e.Id, e.At, e.UserId, e.UserName, e.Action, e.Subject))
            .ToListAsync(cancellation);
    }
}
