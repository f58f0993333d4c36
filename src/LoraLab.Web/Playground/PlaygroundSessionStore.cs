using System.Text.Json.Nodes;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Playground;

public sealed record PlaygroundSessionSummary(int Id, string Name, JsonNode Payload, DateTime CreatedAt);

/// <summary>Saved playground sessions; the payload is whatever JSON the playground page writes.</summary>
public sealed class PlaygroundSessionStore(IDbContextFactory<LoraLabDbContext> dbFactory, TimeProvider clock)
{
    public async Task<IReadOnlyList<PlaygroundSessionSummary>> ListAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return (await db.PlaygroundSessions.AsNoTracking().OrderByDescending(s => s.Id).ToListAsync(cancellation)).Select(ToSummary).ToList();
    }

    public async Task<PlaygroundSessionSummary?> FindAsync(int sessionId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return await db.PlaygroundSessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId, cancellation) is { } session ? ToSummary(session) : null;
    }

    public async Task<PlaygroundSessionSummary> SaveAsync(string name, JsonNode payload, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var session = new PlaygroundSession { Name = name, PayloadJson = payload.ToJsonString(), CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.PlaygroundSessions.Add(session);
        await db.SaveChangesAsync(cancellation);
        return ToSummary(session);
    }

    public async Task<bool> DeleteAsync(int sessionId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return await db.PlaygroundSessions.Where(s => s.Id == sessionId).ExecuteDeleteAsync(cancellation) > 0;
    }

    static PlaygroundSessionSummary ToSummary(PlaygroundSession s) => new(s.Id, s.Name, JsonNode.Parse(s.PayloadJson)!, s.CreatedAt);
}
