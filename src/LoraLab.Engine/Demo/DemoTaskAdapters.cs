using System.Diagnostics;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Training;

namespace LoraLab.Engine.Demo;

/// <summary>A demo task measured on its held-out examples: the base model, the model with the task's adapter, and what training the adapter took.</summary>
/// <param name="TrainingTime">The whole run, as a user waits for it: loading, data preparation, training and saving.</param>
public sealed record DemoTaskFigures(string Task, ExactMatchResult Base, ExactMatchResult Adapted, TimeSpan TrainingTime, long Steps);

/// <summary>
/// Trains one LoRA adapter per demo task with the settings a user gets without changing anything (the defaults of
/// <see cref="MethodOptions"/>, <see cref="TrainingOptions"/> and <see cref="DataOptions"/>), writes it to
/// <c>adapters/{task}/</c> in the PEFT layout, and measures exact-match with and without it.
/// </summary>
public static class DemoTaskAdapters
{
    /// <summary>Expects <c>model/</c> and <c>datasets/</c> in <paramref name="demoDirectory"/>; returns null when cancelled.</summary>
    public static IReadOnlyList<DemoTaskFigures>? TrainAll(string demoDirectory, ComputeDevice device, IProgress<TrainingEvent>? progress = null,
        CancellationToken cancellation = default)
    {
        var figures = new List<DemoTaskFigures>();
        foreach (string task in DemoTasks.TaskNames)
        {
            var measured = Train(demoDirectory, task, device, progress, cancellation);
            if (measured is null) return null;
            figures.Add(measured);
        }
        return figures;
    }

    public static DemoTaskFigures? Train(string demoDirectory, string task, ComputeDevice device, IProgress<TrainingEvent>? progress = null,
        CancellationToken cancellation = default)
    {
        string model = Path.Combine(demoDirectory, "model");
        string datasets = Path.Combine(demoDirectory, "datasets");
        string adapter = Path.Combine(demoDirectory, "adapters", task);
        string run = Path.Combine(demoDirectory, "runs", task);

        var clock = Stopwatch.StartNew();
        var result = FineTuningRun.Run(
            new FineTuningRequest(model, Path.Combine(datasets, $"{task}-train.jsonl"), null, new MethodOptions(), new TrainingOptions(), new DataOptions(), run),
            device, progress, cancellation: cancellation);
        clock.Stop();
        if (result.Status != TrainingStatus.Completed) return null;

        if (Directory.Exists(adapter)) Directory.Delete(adapter, recursive: true);
        Directory.CreateDirectory(Path.GetDirectoryName(adapter)!);
        Directory.Move(result.AdapterDirectory, adapter);
        Directory.Delete(run, recursive: true);
        if (!Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(run)!).Any()) Directory.Delete(Path.GetDirectoryName(run)!);

        var examples = DemoTaskFile.Read(Path.Combine(datasets, $"{task}-eval.jsonl"));
        return new DemoTaskFigures(task, Measure(model, null, examples, device), Measure(model, adapter, examples, device), clock.Elapsed, result.Steps);
    }

    static ExactMatchResult Measure(string model, string? adapter, IReadOnlyList<InstructionExample> examples, ComputeDevice device)
    {
        using var lm = LanguageModel.Open(model, device, adapter);
        return ExactMatch.Evaluate(lm, examples);
    }
}
