using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Training;

/// <summary>Something that happened in a run, as reported by its executor or, for status changes, by the training service.</summary>
public abstract record RunEvent;

/// <summary>One optimizer step. <paramref name="TotalSteps"/> is the planned number of steps, for progress bars.</summary>
public sealed record StepMetrics(
    int Step, int TotalSteps, double Loss, double LearningRate, double? GradNorm, double TokensPerSecond, double ElapsedSeconds) : RunEvent;

/// <summary>An evaluation on the held-out split after <paramref name="Step"/>.</summary>
public sealed record EvaluationMetrics(int Step, double Loss, double Perplexity, double ElapsedSeconds) : RunEvent;

/// <summary>A resumable checkpoint written to <paramref name="Folder"/>; <paramref name="IsBest"/> when its evaluation loss is the lowest so far.</summary>
public sealed record CheckpointSaved(int Step, string Folder, bool IsBest) : RunEvent;

public sealed record LogLine(string Text) : RunEvent;

/// <summary>Published by the training service; executors report their phases as log lines.</summary>
public sealed record StatusChanged(RunStatus Status, string? Message) : RunEvent;

/// <summary>An evaluation run has answered <paramref name="Answered"/> of its <paramref name="Total"/> records (those a resumed run answered before included).</summary>
public sealed record AnswersProgress(int Answered, int Total, double ElapsedSeconds) : RunEvent;
