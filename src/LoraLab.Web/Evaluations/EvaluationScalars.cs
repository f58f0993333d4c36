using LoraLab.Engine.Training;

namespace LoraLab.Web.Evaluations;

/// <summary>
/// An evaluation's scores as TensorBoard scalars beside a run's training curves: the evaluated adapter's under
/// <c>eval/</c> (transformers' Trainer prefix for evaluation metrics: <c>eval/exact_match</c>, <c>eval/rougeL</c>…, <c>eval/acc</c> on a benchmark),
/// the base model's on the same records under <c>baseline/</c>, all at one step.
/// </summary>
public static class EvaluationScalars
{
    /// <summary>Adds a new event file to <paramref name="runFolder"/>'s TensorBoard folder (TensorBoard reads every file of it).</summary>
    public static void Write(string runFolder, EvaluationResult result, long step)
    {
        using var file = new TensorBoardEventFile(Path.Combine(runFolder, TensorBoardLog.FolderName));
        Add(file, "eval", result.Evaluation, step);
        if (!result.Evaluation.IsBaseline) Add(file, "baseline", result.Baseline, step);
    }

    static void Add(TensorBoardEventFile file, string prefix, EvaluationSummary e, long step)
    {
        foreach (var metric in EvaluationMetric.All)
            if (metric.ValueOf(e) is { } value) file.AddScalar($"{prefix}/{metric.Tag}", value, step);
    }
}
