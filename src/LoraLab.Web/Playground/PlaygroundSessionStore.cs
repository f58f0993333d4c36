using System.Text.Json.Nodes;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Playground;

/// <summary>A saved session; <paramref name="Owner"/> is the id of the user who saved it.</summary>
public sealed record PlaygroundSessionSummary(int Id, string Name, JsonNode Payload, DateTime CreatedAt, string Owner, string OwnerName);

/// <summary>
/// Saved playground sessions; the payload is whatever JSON the playground page writes. A session is its owner's:
/// members see and delete their own, admins everyone's.
/// </summary>
public sealed class PlaygroundSessionStore(IDbContextFactory<LoraLabDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>The sessions <paramref name="caller"/> may open, newest first.</summary>
    public async Task<IReadOnlyList<PlaygroundSessionSummary>> ListAsync(Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return (await db.PlaygroundSessions.AsNoTracking().Include(s => s.OwnerUser).Where(s => caller.IsAdmin || s.Owner == caller.UserId)
            .OrderByDescending(s => s.Id).ToListAsync(cancellation)).Select(ToSummary).ToList();
    }

    /// <summary>The session, or NotFound, or Forbidden when it is another user's.</summary>
    public async Task<Result<PlaygroundSessionSummary>> FindAsync(int sessionId, Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var session = await db.PlaygroundSessions.AsNoTracking().Include(s => s.OwnerUser).FirstOrDefaultAsync(s => s.Id == sessionId, cancellation);
        if (session is null) return Failure.NotFound("Playground session", sessionId);
        return caller.CanChange(session.Owner) ? ToSummary(session) : NotYours(sessionId);
    }

    public async Task<PlaygroundSessionSummary> SaveAsync(string name, JsonNode payload, Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var session = new PlaygroundSession { Name = name, PayloadJson = payload.ToJsonString(), CreatedAt = clock.GetUtcNow().UtcDateTime, Owner = caller.UserId };
        db.PlaygroundSessions.Add(session);
        await db.SaveChangesAsync(cancellation);
        await db.Entry(session).Reference(s => s.OwnerUser).LoadAsync(CancellationToken.None);
        return ToSummary(session);
    }

    /// <summary>Deletes the session; its owner and admins only.</summary>
    public async Task<Result<PlaygroundSessionSummary>> DeleteAsync(int sessionId, Caller caller, CancellationToken cancellation = default)
    {
        var found = await FindAsync(sessionId, caller, cancellation);
        if (found.Failure is not null) return found;
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        await db.PlaygroundSessions.Where(s => s.Id == sessionId).ExecuteDeleteAsync(cancellation);
        return found;
    }

    static Failure NotYours(int sessionId) =>
        Failure.Forbidden("The session is private", $"Playground session {sessionId} belongs to another user; only they and admins can open or delete it.");

    static PlaygroundSessionSummary ToSummary(PlaygroundSession s) =>
        new(s.Id, s.Name, JsonNode.Parse(s.PayloadJson)!, s.CreatedAt, s.Owner, s.OwnerUser.UserName ?? s.Owner);
}
