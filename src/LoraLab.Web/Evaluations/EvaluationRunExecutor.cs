using System.Diagnostics;
using System.Globalization;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Playground;
using LoraLab.Web.Playground;
using LoraLab.Web.Storage;
using LoraLab.Web.Training;

namespace LoraLab.Web.Evaluations;

/// <summary>
/// Executes an evaluation run on the device the training service placed it on: loads the base model there with the
/// adapter it evaluates, answers the records the <see cref="Evaluator"/> plans (batched by <see cref="BatchedAnswers"/>:
/// the model's chat template and generation defaults, a fixed seed when the defaults sample), writes each batch's
/// answers to the run's <see cref="EvaluationAnswersFile"/> before reporting progress (so a cancelled or interrupted run
/// resumes with the records not answered yet), then scores and stores them. Called on the run's own thread.
/// </summary>
public sealed class EvaluationRunExecutor(Evaluator evaluator, RunReader runs, DataFolder data, ComputeDevice defaultDevice) : IRunExecutor
{
    /// <summary>Prompt and answer tokens per row the memory estimate counts (up to the model's context): evaluation prompts are short, answers bounded by the defaults.</summary>
    const int EstimatedTokensPerRow = 1024;

    /// <summary>The peak memory of the run's batches by the engine's estimate; null when the model's config.json does not read.</summary>
    public static long? MemoryEstimate(RunRequest request)
    {
        try
        {
            var config = ModelConfig.Load(request.BaseModelFolder);
            return GenerationMemory.Estimate(config, BatchedAnswers.RowsPerBatch, Math.Min(config.MaxPositionEmbeddings, EstimatedTokensPerRow));
        }
        catch (Exception e) when (e is ModelConfigException or IOException)
        {
            return null;   // the run fails with the loader's message when it starts
        }
    }

    public RunOutcome Execute(RunRequest request, IProgress<RunEvent> events, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var planned = evaluator.PlanAsync(request, cancellation).GetAwaiter().GetResult();
        if (planned.Failure is { } failure) throw new InvalidOperationException($"{failure.Title}: {failure.Detail}");
        var plan = planned.Value!;
        int total = plan.Count;
        if (plan.Columns.Count == 0)
        {
            events.Report(new LogLine($"The base model's answers to these {total} records are stored already; nothing to answer."));
            return new RunOutcome(null, null, null, null);
        }

        var answers = EvaluationAnswersFile.Open(request.OutputFolder, plan.Columns, total);
        var unanswered = Enumerable.Range(0, total).Where(i => !answers.Answered.ContainsKey(i)).ToList();
        string columns = string.Join(" and ", plan.Columns.Select(c => c is { } id ? $"adapter '{plan.Adapters[id].Name}'" : "the base model alone"));
        events.Report(new LogLine(answers.Answered.Count == 0
            ? $"Answering {total} records with {columns}."
            : $"Resuming: {answers.Answered.Count} of {total} records were answered before; answering the other {unanswered.Count} with {columns}."));
        var answered = Enumerable.Range(0, total).Select(i => answers.Answered[i]);
        EvaluationResult? result;
        if (plan.Questions is null)
        {
            if (unanswered.Count > 0) Answer(request, plan, answers, unanswered, events, clock, cancellation);
            result = evaluator.SaveAsync(request.RunId, plan, answered.ToList(), clock.Elapsed.TotalSeconds, request.Owner).GetAwaiter().GetResult();
        }
        else
        {
            if (unanswered.Count > 0) ScoreChoices(request, plan, answers, unanswered, events, clock, cancellation);
            var logLikelihoods = answered.Select(columns => (IReadOnlyList<IReadOnlyList<double>>)columns.Select(ChoiceLogLikelihoods.Parse).ToList()).ToList();
            result = evaluator.SaveChoicesAsync(request.RunId, plan, logLikelihoods, clock.Elapsed.TotalSeconds, request.Owner).GetAwaiter().GetResult();
        }
        if (result is { } r)
        {
            events.Report(new LogLine(Scored(r)));
            WriteScalars(request, r);
        }
        return new RunOutcome(null, null, null, null);
    }

    static string Scored(EvaluationResult r) => r.Evaluation.IsBenchmark
        ? string.Create(CultureInfo.InvariantCulture,
            $"Scored {r.Evaluation.Examples} questions: acc {r.Evaluation.Accuracy:0.000} (base model alone {r.Baseline.Accuracy:0.000}), " +
            $"acc_norm {r.Evaluation.NormalizedAccuracy:0.000} ({r.Baseline.NormalizedAccuracy:0.000}).")
        : string.Create(CultureInfo.InvariantCulture,
            $"Scored {r.Evaluation.Examples} records: exact match {r.Evaluation.ExactMatch:0.000} (base model alone {r.Baseline.ExactMatch:0.000}), " +
            $"ROUGE-L {r.Evaluation.RougeL:0.000} ({r.Baseline.RougeL:0.000}), BLEU {r.Evaluation.Bleu:0.0} ({r.Baseline.Bleu:0.0}).");

    /// <summary>The scores in this run's TensorBoard files, and in those of the training run whose held-out records it answered, at its last step.</summary>
    void WriteScalars(RunRequest request, EvaluationResult result)
    {
        EvaluationScalars.Write(request.OutputFolder, result, step: 0);
        if (request.Evaluation!.HeldOutOfRunId is { } trainingRun && runs.MetricsAsync(trainingRun).GetAwaiter().GetResult() is { Count: > 0 } points)
            EvaluationScalars.Write(data.RunFolder(trainingRun), result, points.Max(p => p.Step));
    }

    void Answer(RunRequest request, EvaluationPlan plan, EvaluationAnswersFile answers, IReadOnlyList<int> unanswered,
        IProgress<RunEvent> events, Stopwatch clock, CancellationToken cancellation)
    {
        using var model = Loaded(request, plan, events);
        var loaded = new PlaygroundModel(model, plan.Adapters);
        var sampling = SamplingSettings.ForModel(model.Base.GenerationDefaults) with { Seed = Evaluator.Seed };
        var rowOptions = plan.Columns.Select(_ => sampling.ToOptions()).ToArray();
        // One batch of BatchedAnswers at a time, so each is on disk before the next starts.
        int perBatch = Math.Max(1, BatchedAnswers.RowsPerBatch / plan.Columns.Count);
        foreach (var batch in unanswered.Chunk(perBatch))
        {
            var generated = BatchedAnswers.Generate(loaded, plan.Columns, rowOptions, batch.Select(i => plan.Records[i].Messages).ToArray(), null, cancellation);
            answers.Append(batch.Select((index, k) => (index, (IReadOnlyList<string>)generated[k])));
            events.Report(new AnswersProgress(answers.Answered.Count, plan.Records.Count, clock.Elapsed.TotalSeconds));
        }
    }

    /// <summary>Questions scored per batch: each batch's log-likelihoods are on disk before the next starts.</summary>
    const int QuestionsPerBatch = 8;

    /// <summary>Scores the benchmark questions not scored yet by each column's log-likelihood of every choice, a batch of questions at a time.</summary>
    void ScoreChoices(RunRequest request, EvaluationPlan plan, EvaluationAnswersFile answers, IReadOnlyList<int> unscored,
        IProgress<RunEvent> events, Stopwatch clock, CancellationToken cancellation)
    {
        using var model = Loaded(request, plan, events);
        foreach (var batch in unscored.Chunk(QuestionsPerBatch))
        {
            var questions = batch.Select(i => plan.Questions![i]).ToList();
            var perColumn = plan.Columns.Select(c => model.MultipleChoice(PlaygroundModel.LoadedName(c), questions, cancellation).LogLikelihoods).ToList();
            answers.Append(batch.Select((index, k) => (index, (IReadOnlyList<string>)perColumn.Select(column => ChoiceLogLikelihoods.Format(column[k])).ToList())));
            events.Report(new AnswersProgress(answers.Answered.Count, plan.Count, clock.Elapsed.TotalSeconds));
        }
    }

    /// <summary>The base model on the run's device with the plan's adapters loaded under their playground names.</summary>
    SharedBaseModel Loaded(RunRequest request, EvaluationPlan plan, IProgress<RunEvent> events)
    {
        var (modelFolder, device) = (request.BaseModelFolder, request.Device ?? defaultDevice);
        events.Report(new LogLine($"Loading {Path.GetFileName(modelFolder)} on {device.Name}."));
        SharedBaseModel model;
        try { model = SharedBaseModel.Open(modelFolder, device); }
        catch (ModelLoadException e) { throw new InvalidOperationException($"The base model could not be loaded: {e.Message}", e); }
        foreach (var adapter in plan.Adapters.Values)
        {
            try { model.Load(PlaygroundModel.LoadedName(adapter.Id)!, adapter.Folder); }
            catch (ModelLoadException e)
            {
                model.Dispose();
                throw new InvalidOperationException($"Adapter '{adapter.Name}' could not be loaded: {e.Message}", e);
            }
        }
        return model;
    }
}
