using LoraLab.Web.Training;

namespace LoraLab.Web.Hubs;

/// <summary>The messages /hubs/training sends; each names its run. JSON, camelCase, enums as strings.</summary>
public interface ITrainingClient
{
    Task StepMetrics(int runId, StepMetrics step);
    Task Evaluation(int runId, EvaluationMetrics evaluation);
    Task CheckpointSaved(int runId, CheckpointSaved checkpoint);
    Task Log(int runId, LogLine line);
    Task StatusChanged(int runId, StatusChanged status);
    /// <summary>A run's Slurm job started on a node, or waits for another reason (LoraLab:Executor = slurm).</summary>
    Task SlurmJob(int runId, Slurm.SlurmJobChanged job);
}
