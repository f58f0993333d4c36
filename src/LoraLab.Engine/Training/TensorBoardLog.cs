namespace LoraLab.Engine.Training;

/// <summary>
/// Passes a run's events on and writes their figures as TensorBoard scalars, under the tags transformers' Trainer
/// uses (<c>train/loss</c>, <c>train/learning_rate</c>, <c>train/grad_norm</c>, <c>eval/loss</c>…), so runs of both
/// tools plot side by side.
/// </summary>
public sealed class TensorBoardLog(string directory, IProgress<TrainingEvent>? next) : IProgress<TrainingEvent>, IDisposable
{
    public const string FolderName = "tensorboard";

    readonly Lazy<TensorBoardEventFile> file = new(() => new TensorBoardEventFile(directory));

    public void Report(TrainingEvent value)
    {
        switch (value)
        {
            case StepEvent s when !s.Skipped:
                file.Value.AddScalar("train/loss", s.Loss, s.Step);
                file.Value.AddScalar("train/learning_rate", s.LearningRate, s.Step);
                file.Value.AddScalar("train/grad_norm", s.GradNorm, s.Step);
                file.Value.AddScalar("train/epoch", s.Epoch, s.Step);
                file.Value.AddScalar("train/tokens_per_second", s.TokensPerSecond, s.Step);
                break;
            case EvaluationEvent e:
                file.Value.AddScalar("eval/loss", e.Loss, e.Step);
                file.Value.AddScalar("eval/perplexity", e.Perplexity, e.Step);
                break;
        }
        next?.Report(value);
    }

    public void Dispose()
    {
        if (file.IsValueCreated) file.Value.Dispose();
    }
}
