using LoraLab.Web.Accounts;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Playground;

/// <summary>A blind vote: two columns (null: the base model alone) on one base, their answers to one prompt, and the choice.</summary>
public sealed record NewVote(int BaseModelId, int? AdapterAId, int? AdapterBId, VoteChoice Choice, string Prompt, string AnswerA, string AnswerB);

/// <summary>A recorded vote; <paramref name="Voter"/> is the id of the user who cast it.</summary>
public sealed record VoteSummary(int Id, int BaseModelId, int? AdapterAId, int? AdapterBId, VoteChoice Choice, DateTime CreatedAt, string Voter);

/// <summary>A column's standing on its base model: its Elo rating over every stored vote, and its record.</summary>
public sealed record ColumnRating(int? AdapterId, string Name, double Rating, int Wins, int Losses, int Ties, int Games, double WinRate);

/// <summary>The playground's blind votes, each with who cast it, and the Elo table they give per base model (over everyone's votes).</summary>
public sealed class PlaygroundVoteStore(IDbContextFactory<LoraLabDbContext> dbFactory, TimeProvider clock)
{
    public const string BaseModelColumnName = "base model only";

    public async Task<Result<VoteSummary>> RecordAsync(NewVote vote, Caller caller, CancellationToken cancellation = default)
    {
        if (vote.AdapterAId == vote.AdapterBId)
            return Failure.InvalidField("adapterBId", "A and B are the same column; a blind comparison needs two different ones.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        if (!await db.BaseModels.AnyAsync(m => m.Id == vote.BaseModelId, cancellation)) return Failure.NotFound("Base model", vote.BaseModelId);
        foreach (var (field, id) in new[] { ("adapterAId", vote.AdapterAId), ("adapterBId", vote.AdapterBId) })
        {
            if (id is not { } adapterId) continue;
            var baseOf = await db.Adapters.Where(a => a.Id == adapterId).Select(a => (int?)a.BaseModelId).FirstOrDefaultAsync(cancellation);
            if (baseOf is null) return Failure.NotFound("Adapter", adapterId);
            if (baseOf != vote.BaseModelId)
                return Failure.InvalidField(field, $"Adapter {adapterId} was trained on base model {baseOf}, not on base model {vote.BaseModelId}.");
        }
        var entity = new PlaygroundVote
        {
            BaseModelId = vote.BaseModelId, AdapterAId = vote.AdapterAId, AdapterBId = vote.AdapterBId, Choice = vote.Choice,
            Prompt = vote.Prompt, AnswerA = vote.AnswerA, AnswerB = vote.AnswerB, CreatedAt = clock.GetUtcNow().UtcDateTime, Voter = caller.UserId,
        };
        db.PlaygroundVotes.Add(entity);
        await db.SaveChangesAsync(cancellation);
        return new VoteSummary(entity.Id, entity.BaseModelId, entity.AdapterAId, entity.AdapterBId, entity.Choice, entity.CreatedAt, entity.Voter);
    }

    /// <summary>Every column that took part in a vote on this base, best Elo rating first, from the votes in the order they were cast.</summary>
    public async Task<IReadOnlyList<ColumnRating>> RatingsAsync(int baseModelId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var votes = await db.PlaygroundVotes.AsNoTracking().Where(v => v.BaseModelId == baseModelId).OrderBy(v => v.Id)
            .Select(v => new { v.AdapterAId, v.AdapterBId, v.Choice }).ToListAsync(cancellation);
        var names = await db.Adapters.AsNoTracking().Where(a => a.BaseModelId == baseModelId).ToDictionaryAsync(a => a.Id, a => a.Name, cancellation);
        // Elo keys cannot be null: -1 stands for the base model alone.
        var standings = EloRatings.Compute(votes.Select(v => new EloMatch<int>(v.AdapterAId ?? -1, v.AdapterBId ?? -1, v.Choice)));
        return standings.Select(s => new ColumnRating(s.Key < 0 ? null : s.Key, s.Key < 0 ? BaseModelColumnName : names.GetValueOrDefault(s.Key, $"adapter {s.Key}"),
            s.Rating, s.Wins, s.Losses, s.Ties, s.Games, s.WinRate)).ToList();
    }
}
