namespace LoraLab.Engine.Training;

/// <summary>What a training run reports while it runs, through <see cref="IProgress{T}"/>.</summary>
public abstract record TrainingEvent;

/// <param name="Step">Optimizer steps completed, from 1.</param>
/// <param name="Epoch">Passes over the training batches so far, fractional.</param>
/// <param name="Loss">Mean token cross-entropy of this step.</param>
/// <param name="GradNorm">Total gradient norm before clipping.</param>
/// <param name="TokensPerSecond">Input tokens per second since this session started.</param>
/// <param name="Eta">Time left at this session's pace; null before the first step.</param>
/// <param name="ResidentBytes">Resident memory of the process after the step.</param>
public sealed record StepEvent(
    long Step, long TotalSteps, double Epoch, double Loss, double LearningRate, double GradNorm, bool Skipped,
    double TokensPerSecond, TimeSpan Elapsed, TimeSpan? Eta, long ResidentBytes) : TrainingEvent;

/// <param name="Loss">Mean token cross-entropy over every validation batch.</param>
/// <param name="IsBest">Lower than every earlier evaluation of this run.</param>
public sealed record EvaluationEvent(long Step, double Loss, double Perplexity, long Tokens, bool IsBest) : TrainingEvent;

/// <param name="Path">The folder written: a resumable step checkpoint, or the best adapter.</param>
public sealed record CheckpointEvent(long Step, string Path, bool IsBest) : TrainingEvent;

/// <summary>The last event of a run.</summary>
public sealed record TrainingFinishedEvent(TrainingResult Result) : TrainingEvent;

public enum TrainingStatus { Completed, EarlyStopped, Cancelled }

/// <param name="Steps">Optimizer steps completed, including those before a resume.</param>
/// <param name="FinalLoss">The last step's loss (NaN when no step ran).</param>
/// <param name="AdapterDirectory">Where the trained adapter was saved (method.Save).</param>
/// <param name="LastCheckpoint">The newest resumable checkpoint, or null when none was written.</param>
/// <param name="BestAdapterDirectory">The adapter with the lowest validation loss, when kept.</param>
public sealed record TrainingResult(
    TrainingStatus Status, long Steps, long TotalSteps, double FinalLoss, double? BestEvalLoss, long? BestStep,
    string AdapterDirectory, string? LastCheckpoint, string? BestAdapterDirectory, TimeSpan Elapsed, long InputTokens);
