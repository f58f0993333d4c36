using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Training;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Sweeps;

/// <summary>Sweeps as pages and the API read them: each with its runs, their swept values and their ranks by the sweep's metric.</summary>
public sealed class SweepReader(IDbContextFactory<LoraLabDbContext> dbFactory)
{
    static readonly JsonSerializerOptions SettingsJson = new(JsonSerializerDefaults.Web);

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<SweepSummary>> ListAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var sweeps = await Rows(db.Sweeps.OrderByDescending(s => s.Id)).ToListAsync(cancellation);
        var runs = await db.Runs.AsNoTracking().Where(r => r.SweepId != null).Summaries().ToListAsync(cancellation);
        var runsOfSweep = runs.ToLookup(r => r.SweepId!.Value);
        return sweeps.Select(s =>
        {
            var ofSweep = runsOfSweep[s.Sweep.Id].ToList();
            return Summary(s, ofSweep, Rank(s, ofSweep));
        }).ToList();
    }

    public async Task<SweepDetails?> GetAsync(int sweepId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var row = await Rows(db.Sweeps.Where(s => s.Id == sweepId)).FirstOrDefaultAsync(cancellation);
        if (row is null) return null;
        var runs = await db.Runs.AsNoTracking().Where(r => r.SweepId == sweepId).Summaries().ToListAsync(cancellation);
        var configurations = await db.Runs.Where(r => r.SweepId == sweepId).Select(r => new { r.Id, r.ConfigurationJson })
            .ToDictionaryAsync(r => r.Id, r => r.ConfigurationJson, cancellation);
        var runIds = runs.Select(r => (int?)r.Id).ToList();
        var adapters = await db.Adapters.Where(a => runIds.Contains(a.RunId)).ToDictionaryAsync(a => a.RunId!.Value, a => a.Id, cancellation);

        var ranks = Rank(row, runs);
        var summary = Summary(row, runs, ranks);
        var byId = runs.ToDictionary(r => r.Id);
        var ranked = ranks.Select(rank =>
        {
            var run = byId[rank.RunId];
            var values = SweptValues(configurations[run.Id], summary.Settings);
            return new SweepRun(run.Id, run.Name, run.Status, values, rank.Metric, rank.Rank, rank.Rank == 1, adapters.TryGetValue(run.Id, out int adapterId) ? adapterId : null);
        }).ToList();
        return new SweepDetails(summary, JsonNode.Parse(row.Sweep.ConfigurationJson) as JsonObject ?? [], ranked);
    }

    sealed record SweepRow(Sweep Sweep, string OwnerName, string BaseModelName, string? DatasetName);

    static IQueryable<SweepRow> Rows(IQueryable<Sweep> sweeps) => sweeps.AsNoTracking()
        .Select(s => new SweepRow(s, s.OwnerUser.UserName ?? s.Owner, s.BaseModel.Name, s.Dataset != null ? s.Dataset.Name : null));

    static IReadOnlyList<RunRank> Rank(SweepRow row, IReadOnlyList<RunSummary> runs)
    {
        var metric = SweepMetric.Find(row.Sweep.RankMetric);
        return SweepRanking.Rank(runs.Select(r => (r.Id, r.Status, metric?.Read(r))));
    }

    static SweepSummary Summary(SweepRow row, IReadOnlyList<RunSummary> runs, IReadOnlyList<RunRank> ranks)
    {
        var sweep = row.Sweep;
        var metric = SweepMetric.Find(sweep.RankMetric);
        var best = ranks.FirstOrDefault(r => r.Rank == 1);
        return new SweepSummary(
            sweep.Id, sweep.Name, sweep.Owner, row.OwnerName, sweep.CreatedAt, sweep.BaseModelId, row.BaseModelName, sweep.DatasetId, row.DatasetName,
            sweep.MethodKind, ReadSettings(sweep.SettingsJson), sweep.Mode, sweep.Budget, sweep.Seed, sweep.RankMetric,
            metric?.Description ?? $"'{sweep.RankMetric}' is no metric this studio knows",
            runs.Count, runs.Count(r => r.Status == RunStatus.Completed), best.Rank == 1 ? best.RunId : null);
    }

    public static string WriteSettings(IReadOnlyList<SweptSetting> settings) => JsonSerializer.Serialize(settings, SettingsJson);

    static IReadOnlyList<SweptSetting> ReadSettings(string json) => JsonSerializer.Deserialize<List<SweptSetting>>(json, SettingsJson) ?? [];

    /// <summary>The value each swept setting has in the run's stored configuration; null where it is not a number there.</summary>
    static IReadOnlyDictionary<string, double?> SweptValues(string configurationJson, IReadOnlyList<SweptSetting> settings)
    {
        var configuration = JsonNode.Parse(configurationJson) as JsonObject ?? [];
        return settings.ToDictionary(s => s.Key, s => configuration[s.Section]?[s.Field] is JsonValue value && value.TryGetValue(out double number) ? number : (double?)null);
    }
}
