using System.Text.Json.Nodes;
using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Sweeps;

/// <summary>A sweep as lists show it: what it varies, how it ranks, how far its runs got and which is best so far.</summary>
public sealed record SweepSummary(
    int Id,
    string Name,
    string Owner,
    string OwnerName,
    DateTime CreatedAt,
    int BaseModelId,
    string BaseModelName,
    int? DatasetId,
    string? DatasetName,
    string Method,
    IReadOnlyList<SweptSetting> Settings,
    SweepMode Mode,
    int? Budget,
    int? Seed,
    string RankMetric,
    string RankMetricDescription,
    int RunCount,
    int CompletedRuns,
    int? BestRunId);

/// <summary>
/// One run of a sweep: the values of the swept settings in its configuration (keyed <c>training.learning_rate</c>), its
/// metric, and its rank among the completed runs that have the metric (1 is best; null when unranked).
/// </summary>
public sealed record SweepRun(
    int RunId, string Name, RunStatus Status, IReadOnlyDictionary<string, double?> Values, double? Metric, int? Rank, bool IsBest, int? AdapterId);

/// <summary>A sweep with its base configuration and its runs, ranked first, then the unranked ones.</summary>
public sealed record SweepDetails(SweepSummary Sweep, JsonObject Configuration, IReadOnlyList<SweepRun> Runs);
