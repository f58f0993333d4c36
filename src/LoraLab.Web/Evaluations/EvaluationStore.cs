using System.Linq.Expressions;
using System.Text.Json;
using LoraLab.Engine.Evaluation.Benchmarks;
using LoraLab.Engine.Evaluation.Metrics;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Playground;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Evaluations;

/// <summary>
/// The stored evaluations: one per adapter (or baseline) and dataset, read as leaderboards and per adapter, and one per
/// adapter (or baseline) on the records a run held out (<paramref name="runId"/> arguments), read on the run's page.
/// </summary>
public sealed class EvaluationStore(IDbContextFactory<LoraLabDbContext> dbFactory, TimeProvider clock)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The baseline of <paramref name="baseModelId"/> on <paramref name="datasetId"/> (on run <paramref name="runId"/>'s held-out records), with its answers, if it was computed.</summary>
    public async Task<(EvaluationSummary Summary, IReadOnlyList<EvaluationAnswer> Answers)?> FindBaselineAsync(int baseModelId, int datasetId, int? runId = null, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var row = await Rows(db, e => e.BaseModelId == baseModelId && e.DatasetId == datasetId && e.RunId == runId && e.AdapterId == null).FirstOrDefaultAsync(cancellation);
        return row is null ? null : (ToSummary(row), Answers(row.Evaluation));
    }

    /// <summary>Stores the metrics of <paramref name="adapterId"/>'s answers, replacing its earlier evaluation on the same records.</summary>
    /// <param name="answeredByRunId">The evaluation run that answered them, if any.</param>
    public Task<EvaluationSummary> SaveAsync(int baseModelId, int? adapterId, int datasetId, int? runId, GenerationMetrics metrics,
        IReadOnlyList<EvaluationAnswer> answers, double seconds, string owner, int? answeredByRunId = null, CancellationToken cancellation = default) =>
        StoreAsync(new Evaluation
        {
            BaseModelId = baseModelId, AdapterId = adapterId, DatasetId = datasetId, RunId = runId, Examples = metrics.Examples,
            ExactMatch = metrics.ExactMatch, Contains = metrics.Contains, Rouge1 = metrics.Rouge1, Rouge2 = metrics.Rouge2, RougeL = metrics.RougeL,
            Bleu = metrics.Bleu, JsonValid = metrics.JsonValid, JsonShapeMatch = metrics.JsonShapeMatch,
            AnswersJson = JsonSerializer.Serialize(answers, Json), Seconds = seconds, CreatedAt = clock.GetUtcNow().UtcDateTime, Owner = owner,
            AnsweredByRunId = answeredByRunId,
        }, cancellation);

    /// <summary>Stores the accuracies of <paramref name="adapterId"/> on a benchmark's questions, replacing its earlier evaluation on them.</summary>
    /// <param name="answers">Per question: its prompt, its right choice and the one of highest log-likelihood.</param>
    public Task<EvaluationSummary> SaveAsync(int baseModelId, int? adapterId, int datasetId, MultipleChoiceResult scores,
        IReadOnlyList<EvaluationAnswer> answers, double seconds, string owner, int? answeredByRunId = null, CancellationToken cancellation = default) =>
        StoreAsync(new Evaluation
        {
            BaseModelId = baseModelId, AdapterId = adapterId, DatasetId = datasetId, Examples = scores.Questions,
            Accuracy = scores.Accuracy, NormalizedAccuracy = scores.NormalizedAccuracy,
            AnswersJson = JsonSerializer.Serialize(answers, Json), Seconds = seconds, CreatedAt = clock.GetUtcNow().UtcDateTime, Owner = owner,
            AnsweredByRunId = answeredByRunId,
        }, cancellation);

    async Task<EvaluationSummary> StoreAsync(Evaluation evaluation, CancellationToken cancellation)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        db.Evaluations.RemoveRange(db.Evaluations.Where(e => e.BaseModelId == evaluation.BaseModelId && e.AdapterId == evaluation.AdapterId
            && e.DatasetId == evaluation.DatasetId && e.RunId == evaluation.RunId));
        db.Evaluations.Add(evaluation);
        await db.SaveChangesAsync(cancellation);
        return ToSummary(await Rows(db, e => e.Id == evaluation.Id).SingleAsync(cancellation));
    }

    /// <summary>Every evaluation of base model <paramref name="baseModelId"/> on <paramref name="datasetId"/>: the baseline first, then the best exact match (on a benchmark, acc).</summary>
    public async Task<IReadOnlyList<EvaluationSummary>> LeaderboardAsync(int baseModelId, int datasetId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var rows = await Rows(db, e => e.BaseModelId == baseModelId && e.DatasetId == datasetId && e.RunId == null).ToListAsync(cancellation);
        return rows.Select(ToSummary).OrderBy(s => s.IsBaseline ? 0 : 1).ThenByDescending(s => s.Accuracy ?? s.ExactMatch).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The evaluations on the records run <paramref name="runId"/> held out: its adapter's and the baseline's on the same
    /// records, with the adapter's answers; null when its adapter was not evaluated there.
    /// </summary>
    public async Task<EvaluationResult?> ForRunAsync(int runId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var rows = await Rows(db, e => e.RunId == runId).ToListAsync(cancellation);
        var adapter = rows.FirstOrDefault(r => r.Evaluation.AdapterId is not null);
        var baseline = rows.FirstOrDefault(r => r.Evaluation.AdapterId is null);
        return adapter is null || baseline is null ? null : new EvaluationResult(ToSummary(adapter), ToSummary(baseline), Answers(adapter.Evaluation));
    }

    /// <summary>
    /// What evaluation run <paramref name="evaluationRunId"/> stored for <paramref name="target"/>, with its answers and the
    /// baseline now stored on the same records (a run asked for the baseline alone answers with the one stored, whoever
    /// computed it); null when a later evaluation replaced its figures.
    /// </summary>
    public async Task<EvaluationResult?> AnsweredByAsync(int evaluationRunId, EvaluationTarget target, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var rows = await Rows(db, e => e.BaseModelId == target.BaseModelId && e.DatasetId == target.DatasetId && e.RunId == target.RunId
            && (e.AdapterId == null || e.AdapterId == target.AdapterId)).ToListAsync(cancellation);
        var baseline = rows.FirstOrDefault(r => r.Evaluation.AdapterId is null);
        var evaluated = target.AdapterId is null ? baseline
            : rows.FirstOrDefault(r => r.Evaluation.AdapterId == target.AdapterId && r.Evaluation.AnsweredByRunId == evaluationRunId);
        return evaluated is null || baseline is null ? null : new EvaluationResult(ToSummary(evaluated), ToSummary(baseline), Answers(evaluated.Evaluation));
    }

    /// <summary>An adapter's evaluations on every dataset (and on its run's held-out records), newest first.</summary>
    public async Task<IReadOnlyList<EvaluationSummary>> ForAdapterAsync(int adapterId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var rows = await Rows(db, e => e.AdapterId == adapterId).ToListAsync(cancellation);
        return rows.Select(ToSummary).OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).ToList();
    }

    sealed record Row(Evaluation Evaluation, string? AdapterName, string DatasetName);

    /// <summary>The evaluations that match <paramref name="filter"/> with their names (filtered before the projection, which SQL cannot see into).</summary>
    static IQueryable<Row> Rows(LoraLabDbContext db, Expression<Func<Evaluation, bool>> filter) =>
        from e in db.Evaluations.AsNoTracking().Where(filter)
        join d in db.Datasets on e.DatasetId equals d.Id
        join a in db.Adapters on e.AdapterId equals a.Id into adapters
        from a in adapters.DefaultIfEmpty()
        select new Row(e, a == null ? null : a.Name, d.Name);

    static EvaluationSummary ToSummary(Row row)
    {
        var e = row.Evaluation;
        return new(e.Id, e.BaseModelId, e.AdapterId, row.AdapterName ?? PlaygroundVoteStore.BaseModelColumnName, e.DatasetId, row.DatasetName, e.Examples,
            e.ExactMatch, e.Contains, e.Rouge1, e.Rouge2, e.RougeL, e.Bleu, e.JsonValid, e.JsonShapeMatch, e.Seconds, e.CreatedAt, e.Owner, e.RunId, e.AnsweredByRunId,
            e.Accuracy, e.NormalizedAccuracy);
    }

    static IReadOnlyList<EvaluationAnswer> Answers(Evaluation e) => JsonSerializer.Deserialize<List<EvaluationAnswer>>(e.AnswersJson, Json) ?? [];
}
