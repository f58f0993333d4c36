using System.Diagnostics;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Training;

namespace LoraLab.Web.Training;

/// <summary>
/// Trains a run with the engine (<see cref="FineTuningRun"/>) on the device the training service placed it on (the
/// host's first device when none was given) and translates its events for the studio. No tensor code here: the engine
/// owns the dataset pipeline, the model, the method and the trainer.
/// </summary>
public sealed class EngineRunExecutor(ComputeDevice defaultDevice) : IRunExecutor
{
    public RunOutcome Execute(RunRequest request, IProgress<RunEvent> events, CancellationToken cancellation)
    {
        var device = request.Device ?? defaultDevice;
        var settings = request.TrainingSettings;
        var fineTuning = new FineTuningRequest(
            request.BaseModelFolder, request.DatasetFile, EvalData: null,
            settings.Method, settings.Training, settings.Data,
            request.OutputFolder, request.ResumeFromCheckpointFolder);

        var clock = Stopwatch.StartNew();
        events.Report(new LogLine(request.ResumeFromCheckpointFolder is null
            ? $"Preparing the dataset and loading {Path.GetFileName(request.BaseModelFolder)} on {device.Name}."
            : $"Resuming from the checkpoint of step {request.ResumeFromStep} on {device.Name}."));
        var progress = new EventTranslator(events, clock);
        var result = FineTuningRun.Run(fineTuning, device, progress, p => events.Report(new LogLine(
            $"{p.TrainExamples} training and {p.EvalExamples} evaluation examples ({p.Report.Issues.Count} records skipped); " +
            $"trainable parameters {p.TrainableParameters:N0} of {p.TotalParameters:N0} ({p.TrainablePercent:F3}%); {p.TotalSteps} steps.")), cancellation);
        if (result.Status == TrainingStatus.Cancelled) throw new OperationCanceledException(cancellation);

        MoveAdapter(result.BestAdapterDirectory ?? result.AdapterDirectory, request.AdapterFolder);
        events.Report(new LogLine($"{result.Status} after {result.Steps} steps; adapter saved" +
            (result.BestAdapterDirectory is null ? "." : $" from the best evaluation (step {result.BestStep}).")));
        return new RunOutcome(result.FinalLoss, result.BestEvalLoss, result.BestEvalLoss is { } loss ? Math.Exp(loss) : null,
            result.InputTokens / Math.Max(result.Elapsed.TotalSeconds, 1e-9));
    }

    static void MoveAdapter(string from, string to)
    {
        if (Directory.Exists(to)) Directory.Delete(to, recursive: true);
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        Directory.Move(from, to);
    }

    /// <summary>Engine events → studio events. Resumable checkpoints are reported as such; the best adapter is a log line.</summary>
    sealed class EventTranslator(IProgress<RunEvent> events, Stopwatch clock) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent e)
        {
            switch (e)
            {
                case StepEvent s:
                    events.Report(new StepMetrics((int)s.Step, (int)s.TotalSteps, s.Loss, s.LearningRate, s.GradNorm, s.TokensPerSecond, clock.Elapsed.TotalSeconds));
                    break;
                case EvaluationEvent ev:
                    events.Report(new EvaluationMetrics((int)ev.Step, ev.Loss, ev.Perplexity, clock.Elapsed.TotalSeconds));
                    break;
                case CheckpointEvent { IsBest: false } c:
                    events.Report(new CheckpointSaved((int)c.Step, c.Path, IsBest: false));
                    break;
                case CheckpointEvent best:
                    events.Report(new LogLine($"Best evaluation so far at step {best.Step}; its adapter is kept."));
                    break;
            }
        }
    }
}
