using LoraLab.Web.Tests.Training;
using LoraLab.Web.Training;

namespace LoraLab.Web.Tests.Sweeps;

/// <summary>
/// A stand-in trainer whose validation loss depends on the run's settings as a sweep's would: 1.5 at learning rate
/// 1e-4, 1.2 at 3e-4, plus r/1000; at 1e-3 it diverges and fails. Writes an adapter like <see cref="ScriptedExecutor"/>.
/// </summary>
public sealed class LossByLearningRateExecutor : IRunExecutor
{
    public static double EvalLoss(double learningRate, int r) => learningRate switch
    {
        1e-4 => 1.5,
        3e-4 => 1.2,
        _ => throw new InvalidOperationException($"The loss diverged at learning_rate {learningRate}."),
    } + r / 1000.0;

    public RunOutcome Execute(RunRequest request, IProgress<RunEvent> events, CancellationToken cancellation)
    {
        var settings = request.TrainingSettings;
        double loss = EvalLoss(settings.Training.LearningRate, settings.Method.R);
        events.Report(ScriptedExecutor.Step(1, 1));
        events.Report(new EvaluationMetrics(1, loss, Math.Exp(loss), 0.25));
        Directory.CreateDirectory(request.AdapterFolder);
        File.WriteAllText(Path.Combine(request.AdapterFolder, "adapter_config.json"), ScriptedExecutor.AdapterConfig);
        File.WriteAllBytes(Path.Combine(request.AdapterFolder, "adapter_model.safetensors"), [8, 0, 0, 0, 0, 0, 0, 0, .. "{}      "u8.ToArray()]);
        return new RunOutcome(loss + 0.1, loss, Math.Exp(loss), 100);
    }
}
