using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Sweeps;

/// <summary>A run's place in its sweep: 1 is the best; null when it is not ranked (not completed, or without the metric).</summary>
public readonly record struct RunRank(int RunId, double? Metric, int? Rank);

/// <summary>Ranks a sweep's runs: completed runs with the metric by it, lowest first (ties by run id); the others after them, unranked, by id.</summary>
public static class SweepRanking
{
    public static IReadOnlyList<RunRank> Rank(IEnumerable<(int RunId, RunStatus Status, double? Metric)> runs)
    {
        var all = runs.ToList();
        var ranked = all.Where(r => r.Status == RunStatus.Completed && r.Metric is { } m && double.IsFinite(m))
            .OrderBy(r => r.Metric).ThenBy(r => r.RunId).Select((r, i) => new RunRank(r.RunId, r.Metric, i + 1)).ToList();
        var rankedIds = ranked.Select(r => r.RunId).ToHashSet();
        return [.. ranked, .. all.Where(r => !rankedIds.Contains(r.RunId)).OrderBy(r => r.RunId).Select(r => new RunRank(r.RunId, r.Metric, null))];
    }
}
