using LoraLab.Web.Accounts;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Playground;

/// <summary>A blind vote: two columns (null: the base model alone) on one base, their answers to one prompt, and the choice.</summary>
public sealed record NewVote(int BaseModelId, int? AdapterAId, int? AdapterBId, VoteChoice Choice, string Prompt, string AnswerA, string AnswerB);

/// <summary>
/// A recorded vote; <paramref name="Voter"/> is the id of the user who cast it or asked the judge, and
/// <paramref name="Judge"/> the judge model whose verdict it is (null for a person's vote).
/// </summary>
public sealed record VoteSummary(int Id, int BaseModelId, int? AdapterAId, int? AdapterBId, VoteChoice Choice, DateTime CreatedAt, string Voter, string? Judge = null);

/// <summary>
/// A column's standing on its base model: its Elo rating over the chosen votes, its record, and how many of its
/// games a judge model decided.
/// </summary>
public sealed record ColumnRating(int? AdapterId, string Name, double Rating, int Wins, int Losses, int Ties, int Games, double WinRate, int JudgedGames = 0);

/// <summary>Whose votes a win table counts.</summary>
public enum VoteSource { Everyone, People, Judges }

/// <summary>The playground's blind votes and judges' verdicts, each with who cast it, and the Elo table they give per base model.</summary>
public sealed class PlaygroundVoteStore(IDbContextFactory<LoraLabDbContext> dbFactory, TimeProvider clock)
{
    public const string BaseModelColumnName = "base model only";

    /// <summary>A person's blind vote.</summary>
    public Task<Result<VoteSummary>> RecordAsync(NewVote vote, Caller caller, CancellationToken cancellation = default) =>
        RecordAsync(vote, caller, judge: null, cancellation);

    /// <summary>A judge model's verdict, asked for by <paramref name="caller"/>; it counts in the same win table, marked as the judge's.</summary>
    public Task<Result<VoteSummary>> RecordVerdictAsync(NewVote vote, Caller caller, string judge, CancellationToken cancellation = default) =>
        RecordAsync(vote, caller, judge, cancellation);

    /// <summary>Why a vote between these columns cannot be recorded (the same column twice, an unknown base or adapter, an adapter of another base), or null.</summary>
    public async Task<Failure?> ProblemAsync(int baseModelId, int? adapterAId, int? adapterBId, CancellationToken cancellation = default)
    {
        if (adapterAId == adapterBId)
            return Failure.InvalidField("adapterBId", "A and B are the same column; a blind comparison needs two different ones.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        if (!await db.BaseModels.AnyAsync(m => m.Id == baseModelId, cancellation)) return Failure.NotFound("Base model", baseModelId);
        foreach (var (field, id) in new[] { ("adapterAId", adapterAId), ("adapterBId", adapterBId) })
        {
            if (id is not { } adapterId) continue;
            var baseOf = await db.Adapters.Where(a => a.Id == adapterId).Select(a => (int?)a.BaseModelId).FirstOrDefaultAsync(cancellation);
            if (baseOf is null) return Failure.NotFound("Adapter", adapterId);
            if (baseOf != baseModelId)
                return Failure.InvalidField(field, $"Adapter {adapterId} was trained on base model {baseOf}, not on base model {baseModelId}.");
        }
        return null;
    }

    async Task<Result<VoteSummary>> RecordAsync(NewVote vote, Caller caller, string? judge, CancellationToken cancellation)
    {
        if (await ProblemAsync(vote.BaseModelId, vote.AdapterAId, vote.AdapterBId, cancellation) is { } problem) return problem;
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var entity = new PlaygroundVote
        {
            BaseModelId = vote.BaseModelId, AdapterAId = vote.AdapterAId, AdapterBId = vote.AdapterBId, Choice = vote.Choice,
            Prompt = vote.Prompt, AnswerA = vote.AnswerA, AnswerB = vote.AnswerB, CreatedAt = clock.GetUtcNow().UtcDateTime, Voter = caller.UserId,
            Judge = judge,
        };
        db.PlaygroundVotes.Add(entity);
        await db.SaveChangesAsync(cancellation);
        return new VoteSummary(entity.Id, entity.BaseModelId, entity.AdapterAId, entity.AdapterBId, entity.Choice, entity.CreatedAt, entity.Voter, entity.Judge);
    }

    /// <summary>
    /// Every column that took part in a chosen vote on this base, best Elo rating first, from the votes in the order they
    /// were cast.
    /// </summary>
    public async Task<IReadOnlyList<ColumnRating>> RatingsAsync(int baseModelId, VoteSource source = VoteSource.Everyone, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var chosen = db.PlaygroundVotes.AsNoTracking().Where(v => v.BaseModelId == baseModelId);
        if (source == VoteSource.People) chosen = chosen.Where(v => v.Judge == null);
        if (source == VoteSource.Judges) chosen = chosen.Where(v => v.Judge != null);
        var votes = await chosen.OrderBy(v => v.Id).Select(v => new { v.AdapterAId, v.AdapterBId, v.Choice, Judged = v.Judge != null }).ToListAsync(cancellation);
        var names = await db.Adapters.AsNoTracking().Where(a => a.BaseModelId == baseModelId).ToDictionaryAsync(a => a.Id, a => a.Name, cancellation);
        // Elo keys cannot be null: -1 stands for the base model alone.
        var standings = EloRatings.Compute(votes.Select(v => new EloMatch<int>(v.AdapterAId ?? -1, v.AdapterBId ?? -1, v.Choice)));
        var judged = votes.Where(v => v.Judged).SelectMany(v => new[] { v.AdapterAId ?? -1, v.AdapterBId ?? -1 }).CountBy(key => key).ToDictionary();
        return standings.Select(s => new ColumnRating(s.Key < 0 ? null : s.Key, s.Key < 0 ? BaseModelColumnName : names.GetValueOrDefault(s.Key, $"adapter {s.Key}"),
            s.Rating, s.Wins, s.Losses, s.Ties, s.Games, s.WinRate, judged.GetValueOrDefault(s.Key))).ToList();
    }
}
