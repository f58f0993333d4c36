using LoraLab.Engine.Devices;
using LoraLab.Web.Evaluations;

namespace LoraLab.Web.Training;

/// <summary>Everything an executor needs to execute one run; every path is absolute.</summary>
/// <param name="Settings">The method's, trainer's and data settings as the run was created with them; null for an evaluation run.</param>
/// <param name="OutputFolder">runs/{runId}: the run's own folder, for anything else it writes (the resolved configuration, ...).</param>
/// <param name="CheckpointsFolder">runs/{runId}/checkpoints.</param>
/// <param name="AdapterFolder">adapters/run-{runId}: where the trained adapter goes, in PEFT layout.</param>
/// <param name="ResumeFromCheckpointFolder">A checkpoint folder to continue from, or null to start from scratch.</param>
/// <param name="ResumeFromStep">The step that checkpoint was saved at, or null.</param>
public sealed record RunRequest(
    int RunId,
    string RunName,
    string BaseModelFolder,
    string DatasetFile,
    RunSettings? Settings,
    string OutputFolder,
    string CheckpointsFolder,
    string AdapterFolder,
    string? ResumeFromCheckpointFolder,
    int? ResumeFromStep)
{
    /// <summary>The device the training service placed the run on; null leaves the choice to the executor.</summary>
    public ComputeDevice? Device { get; init; }

    /// <summary>What an evaluation run answers; null for a training run.</summary>
    public EvaluationRunSpec? Evaluation { get; init; }

    /// <summary>The ids of the run's owner, base model and dataset (null once deleted), for executors that store results under them.</summary>
    public string Owner { get; init; } = "";
    public int BaseModelId { get; init; }
    public int? DatasetId { get; init; }

    /// <summary>The settings a training executor trains with.</summary>
    /// <exception cref="InvalidOperationException">The run is an evaluation run.</exception>
    public RunSettings TrainingSettings => Settings ?? throw new InvalidOperationException($"Run {RunId} ('{RunName}') is an evaluation run: it has no training settings.");
}
