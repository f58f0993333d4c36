namespace LoraLab.Web.Slurm;

/// <summary>
/// What the studio had stored of a run when it reattached to its job: the events of the job's stream up to these
/// steps are not reported again, so a restart loses and duplicates no metric.
/// </summary>
public sealed record RecordedProgress(int LastStep, int LastEvaluationStep, IReadOnlySet<int> CheckpointSteps);
