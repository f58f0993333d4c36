using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Training;

/// <summary>
/// A run as lists show it. <paramref name="Owner"/> is the id of the user who launched it; <paramref name="ResumeFromStep"/>
/// is the checkpoint step its next execution starts from; <paramref name="SlurmJobId"/> and <paramref name="SlurmNode"/> name
/// the Slurm job of its latest execution and its node, when it trains on a cluster; <paramref name="SlurmPendingReason"/> is
/// Slurm's reason while that job waits to start ("None" right after submission), null otherwise; <paramref name="SweepId"/>
/// is the sweep that queued it; <paramref name="Kind"/> says whether it trains an adapter or evaluates one.
/// </summary>
public sealed record RunSummary(
    int Id,
    string Name,
    RunStatus Status,
    int? QueuePosition,
    int BaseModelId,
    string BaseModelName,
    int? DatasetId,
    string? DatasetName,
    string Method,
    string Owner,
    string OwnerName,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    string? ErrorMessage,
    int? ResumeFromStep,
    double? TrainLoss,
    double? EvalLoss,
    double? Perplexity,
    double? TokensPerSecond,
    string? SlurmJobId = null,
    string? SlurmNode = null,
    string? SlurmPendingReason = null,
    int? SweepId = null,
    RunKind Kind = RunKind.Training);

public sealed record CheckpointSummary(int Id, int Step, string Path, DateTime CreatedAt, bool IsBest);

/// <summary>One run with its configuration, its checkpoints (by step) and the adapter it produced, if any.</summary>
public sealed record RunDetails(RunSummary Run, System.Text.Json.Nodes.JsonObject Configuration, IReadOnlyList<CheckpointSummary> Checkpoints, int? AdapterId);

public sealed record MetricPoint(
    int Step, MetricKind Kind, double Loss, double? LearningRate, double? GradNorm, double? TokensPerSecond, double ElapsedSeconds);
