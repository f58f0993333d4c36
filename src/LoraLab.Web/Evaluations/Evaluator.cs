using LoraLab.Engine.Data;
using LoraLab.Engine.Evaluation.Benchmarks;
using LoraLab.Engine.Evaluation.Metrics;
using LoraLab.Engine.Training;
using LoraLab.Web.Accounts;
using LoraLab.Web.Adapters;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Datasets;
using LoraLab.Web.Models;
using LoraLab.Web.Playground;
using LoraLab.Web.Training;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Evaluations;

/// <summary>
/// Evaluations of an adapter, or of its base model alone, on a dataset's records or on the records a run held out:
/// checks what is asked and queues it as an evaluation run in the run queue, beside training runs; when the run is
/// executed (<see cref="EvaluationRunExecutor"/>), plans what it answers and stores the scored answers. The baseline
/// is computed once per base model and records, in the same batches as the first adapter that needs it, and reused
/// while it covers the same records.
/// </summary>
public sealed class Evaluator(
    ModelRegistry models, DatasetStore datasets, AdapterStore adapters, RunReader runs, RunQueue queue, EvaluationStore store, IOptions<LoraLabOptions> options)
{
    /// <summary>The seed of the answers when the model's defaults sample, so that an evaluation can be repeated.</summary>
    public const long Seed = 0;

    /// <summary>Queues the evaluation of <paramref name="request"/>'s adapter (or its base alone) on the first records of a dataset the caller may read.</summary>
    public async Task<Result<RunSummary>> QueueAsync(EvaluationRequest request, Caller caller, CancellationToken cancellation = default)
    {
        int max = request.MaxExamples ?? options.Value.EvaluationExamples;
        if (CountFailure(max) is { } badCount) return badCount;
        string answering = "the base model alone";
        if (request.AdapterId is { } adapterId)
        {
            if (await adapters.FindAsync(adapterId, cancellation) is not { } adapter) return Failure.NotFound("Adapter", adapterId);
            if (adapter.BaseModelId != request.BaseModelId)
                return Failure.InvalidField("adapterId", $"Adapter '{adapter.Name}' was trained on {adapter.BaseModelName} (id {adapter.BaseModelId}), not on base model {request.BaseModelId}.");
            answering = adapter.Name;
        }
        if (await models.FindAsync(request.BaseModelId, cancellation) is not { } model) return Failure.NotFound("Base model", request.BaseModelId);
        if (model.Error is { } error) return Failure.Conflict("Base model unusable", $"Base model '{model.Name}' cannot be used: {error}");
        var found = await datasets.FindAsync(request.DatasetId, caller, cancellation);
        if (found.Failure is { } unreadable) return unreadable;
        var usable = found.Value!.IsBenchmark
            ? (await Task.Run(() => BenchmarkQuestions.Read(found.Value!, max), cancellation)).Failure
            : (await Task.Run(() => EvaluationExamples.Read(found.Value!, max), cancellation)).Failure;
        if (usable is { } unusable) return unusable;
        return await queue.CreateEvaluationAsync($"Evaluate {answering} on {found.Value!.Name}", request.BaseModelId, request.DatasetId,
            new EvaluationRunSpec(request.AdapterId, HeldOutOfRunId: null, max), caller, cancellation);
    }

    /// <summary>
    /// Queues the evaluation of run <paramref name="runId"/>'s adapter on the first <paramref name="maxExamples"/> answered
    /// records the run held out of its dataset for validation (<c>validation_fraction</c>, split by its seed as training
    /// split them), with the base model alone on the same records as its baseline.
    /// </summary>
    public async Task<Result<RunSummary>> QueueRunAsync(int runId, int? maxExamples, Caller caller, CancellationToken cancellation = default)
    {
        int max = maxExamples ?? options.Value.EvaluationExamples;
        if (CountFailure(max) is { } badCount) return badCount;
        var heldOut = await HeldOutOfAsync(runId, caller, cancellation);
        if (heldOut.Failure is { } failure) return failure;
        var (run, adapterId, dataset, split) = heldOut.Value!;
        var records = await Task.Run(() => ReadHeldOut(dataset, split, max), cancellation);
        if (records.Failure is { } unusable) return unusable;
        return await queue.CreateEvaluationAsync($"Evaluate {run.Name} on its held-out records", run.BaseModelId, dataset.Id,
            new EvaluationRunSpec(adapterId, runId, max), caller, cancellation);
    }

    /// <summary>
    /// What evaluation run <paramref name="request"/> answers now: its records, and its columns (the baseline first when
    /// the stored one does not cover these records; none when only the baseline was asked and it does).
    /// </summary>
    public async Task<Result<EvaluationPlan>> PlanAsync(RunRequest request, CancellationToken cancellation)
    {
        var spec = request.Evaluation ?? throw new ArgumentException($"Run {request.RunId} is not an evaluation run.", nameof(request));
        if (request.DatasetId is not { } datasetId)
            return Failure.Conflict("The dataset is gone", "The dataset this evaluation answers was deleted after it was queued.");
        // The owner could read the dataset when the run was queued.
        var found = await datasets.FindAsync(datasetId, Caller.Local, cancellation);
        if (found.Failure is { } gone) return gone;
        var adapterSummaries = new Dictionary<int, AdapterSummary>();
        if (spec.AdapterId is { } adapterId)
        {
            if (await adapters.FindAsync(adapterId, cancellation) is not { } adapter)
                return Failure.Conflict("The adapter is gone", $"Adapter {adapterId} was deleted after this evaluation was queued.");
            adapterSummaries[adapterId] = adapter;
        }
        var target = new EvaluationTarget(request.BaseModelId, spec.AdapterId, datasetId, spec.HeldOutOfRunId);
        int?[] asked = spec.AdapterId is { } id ? [id] : [];
        if (found.Value!.IsBenchmark)
        {
            var questions = await Task.Run(() => BenchmarkQuestions.Read(found.Value!, spec.MaxExamples), cancellation);
            if (questions.Failure is { } unreadable) return unreadable;
            return new EvaluationPlan(target, [], await ColumnsAsync(target, asked, questions.Value!.Count, cancellation), adapterSummaries, questions.Value);
        }
        Result<IReadOnlyList<PromptSetExample>> records;
        if (spec.HeldOutOfRunId is { } heldOutOf)
        {
            var heldOut = await HeldOutOfAsync(heldOutOf, Caller.Local, cancellation);
            if (heldOut.Failure is { } failure) return failure;
            records = await Task.Run(() => ReadHeldOut(found.Value!, heldOut.Value!.Split, spec.MaxExamples), cancellation);
        }
        else records = await Task.Run(() => EvaluationExamples.Read(found.Value!, spec.MaxExamples), cancellation);
        if (records.Failure is { } unusable) return unusable;
        return new EvaluationPlan(target, records.Value!, await ColumnsAsync(target, asked, records.Value!.Count, cancellation), adapterSummaries);
    }

    /// <summary>The columns asked, after the baseline when the stored one does not cover <paramref name="count"/> records.</summary>
    async Task<int?[]> ColumnsAsync(EvaluationTarget target, int?[] asked, int count, CancellationToken cancellation)
    {
        var baseline = await store.FindBaselineAsync(target.BaseModelId, target.DatasetId, target.RunId, cancellation);
        return baseline is { } b && b.Summary.Examples == count ? asked : [null, .. asked];
    }

    /// <summary>
    /// Scores the answers evaluation run <paramref name="evaluationRunId"/> gave to its plan (<paramref name="answers"/>:
    /// per record, one per column) and stores each column's evaluation; returns the evaluated one's with its baseline.
    /// </summary>
    /// <remarks>On a benchmark, see <see cref="SaveChoicesAsync"/>.</remarks>
    public async Task<EvaluationResult?> SaveAsync(int evaluationRunId, EvaluationPlan plan, IReadOnlyList<IReadOnlyList<string>> answers, double seconds, string owner)
    {
        var target = plan.Target;
        for (int c = 0; c < plan.Columns.Count; c++)
        {
            var scored = plan.Records.Select((r, i) => new EvaluationAnswer(r.Prompt, r.Reference!, answers[i][c])).ToList();
            var metrics = GenerationMetrics.Score(scored.Select(x => x.Answer).ToList(), scored.Select(x => x.Reference).ToList());
            await store.SaveAsync(target.BaseModelId, plan.Columns[c], target.DatasetId, target.RunId, metrics, scored, seconds, owner, evaluationRunId);
        }
        return await store.AnsweredByAsync(evaluationRunId, target);
    }

    /// <summary>
    /// Scores the log-likelihoods evaluation run <paramref name="evaluationRunId"/> gave its benchmark questions
    /// (<paramref name="logLikelihoods"/>: per question, per column, per choice) and stores each column's accuracies, with
    /// the choice of highest log-likelihood as its answer; returns the evaluated one's with its baseline.
    /// </summary>
    public async Task<EvaluationResult?> SaveChoicesAsync(int evaluationRunId, EvaluationPlan plan, IReadOnlyList<IReadOnlyList<IReadOnlyList<double>>> logLikelihoods,
        double seconds, string owner)
    {
        var (target, questions) = (plan.Target, plan.Questions!);
        for (int c = 0; c < plan.Columns.Count; c++)
        {
            var column = logLikelihoods.Select(perColumn => perColumn[c]).ToList();
            var answers = questions.Select((q, i) => new EvaluationAnswer(q.Context, q.Choices[q.Answer], q.Choices[MultipleChoiceScorer.ArgMax(column[i])])).ToList();
            await store.SaveAsync(target.BaseModelId, plan.Columns[c], target.DatasetId, MultipleChoiceResult.Of(questions, column), answers, seconds, owner, evaluationRunId);
        }
        return await store.AnsweredByAsync(evaluationRunId, target);
    }

    sealed record HeldOut(RunSummary Run, int AdapterId, DatasetSummary Dataset, HeldOutSplit Split);

    /// <summary>How a run held records out of its dataset: its data settings and seed.</summary>
    sealed record HeldOutSplit(DataOptions Data, long Seed);

    /// <summary>Run <paramref name="runId"/> with its adapter and dataset, and how it split the dataset; a failure naming what is missing.</summary>
    async Task<Result<HeldOut>> HeldOutOfAsync(int runId, Caller caller, CancellationToken cancellation)
    {
        if (await runs.GetDetailsAsync(runId, cancellation) is not { } details) return Failure.NotFound("Run", runId);
        var run = details.Run;
        if (run.Kind == RunKind.Evaluation)
            return Failure.Conflict("The run is an evaluation", $"Run {runId} ('{run.Name}') is an evaluation run: it trained no adapter and held out no records.");
        if (details.AdapterId is not { } adapterId)
            return Failure.Conflict("The run has no adapter", $"Run '{run.Name}' has no adapter yet ({run.Status}): evaluate it once it has completed.");
        if (run.DatasetId is not { } datasetId)
            return Failure.Conflict("The run's dataset is gone", $"The dataset run '{run.Name}' trained on was deleted, and with it the records it held out.");
        var found = await datasets.FindAsync(datasetId, caller, cancellation);
        if (found.Failure is { } unreadable) return unreadable;

        RunSettings settings;
        try { settings = RunSettings.FromStored(details.Configuration, run.Method); }
        catch (TrainingConfigException e)
        {
            return new Failure(FailureKind.Invalid, "The run's configuration cannot be read", e.Message);
        }
        if (settings.Data.ValidationFraction <= 0)
            return Failure.Conflict("The run held out no records",
                $"Run '{run.Name}' trained on every record of '{found.Value!.Name}' (validation_fraction 0): evaluate its adapter on a separate dataset on the leaderboard.");
        return new HeldOut(run, adapterId, found.Value!, new HeldOutSplit(settings.Data, settings.Training.Seed));
    }

    static Result<IReadOnlyList<PromptSetExample>> ReadHeldOut(DatasetSummary dataset, HeldOutSplit split, int max)
    {
        IReadOnlyList<DatasetRecord> records;
        try
        {
            records = HeldOutRecords.Read(dataset.FilePath, split.Data, split.Seed);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            return new Failure(FailureKind.Invalid, "The run's held-out records cannot be read", e.Message);
        }
        return EvaluationExamples.Answered(records, max, "runId",
            $"None of the {records.Count} records the run held out of '{dataset.Name}' ends in an answer to compare with.");
    }

    static Failure? CountFailure(int max) => max is >= 1 and <= EvaluationRequest.MaxExamplesLimit ? null
        : Failure.InvalidField("maxExamples", $"Evaluate between 1 and {EvaluationRequest.MaxExamplesLimit} records; got {max}.");
}
