using System.Diagnostics;
using LoraLab.Engine.Data;
using LoraLab.Engine.Evaluation.Metrics;
using LoraLab.Engine.Training;
using LoraLab.Web.Accounts;
using LoraLab.Web.Adapters;
using LoraLab.Web.Datasets;
using LoraLab.Web.Playground;
using LoraLab.Web.Training;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Evaluations;

/// <summary>
/// Evaluates an adapter, or its base model alone, on a dataset, or a run's adapter on the records the run held out:
/// answers the records on the playground's model thread (the model's chat template and generation defaults, batched
/// by <see cref="BatchedAnswers"/>, with a fixed seed when the defaults sample), scores the answers with
/// <see cref="GenerationMetrics"/> and stores the figures. The baseline is computed once per base model and records,
/// in the same batches as the first adapter that needs it, and reused while it covers the same records; asked for by
/// itself, a stored baseline is returned as it is.
/// </summary>
public sealed class Evaluator(PlaygroundModelHost host, DatasetStore datasets, AdapterStore adapters, RunReader runs, EvaluationStore store, IOptions<LoraLabOptions> options)
{
    /// <summary>The seed of the answers when the model's defaults sample, so that an evaluation can be repeated.</summary>
    public const long Seed = 0;

    /// <summary>The records answered, and whose: an adapter (null: the baseline) of a base model on a dataset, or on run <paramref name="RunId"/>'s held-out records.</summary>
    sealed record Target(int BaseModelId, int? AdapterId, int DatasetId, int? RunId);

    /// <param name="progress">Called from the generation thread with the records answered so far and their total.</param>
    public async Task<Result<EvaluationResult>> EvaluateAsync(EvaluationRequest request, Caller caller, Action<int, int>? progress = null, CancellationToken cancellation = default)
    {
        int max = request.MaxExamples ?? options.Value.EvaluationExamples;
        if (CountFailure(max) is { } badCount) return badCount;
        if (request.AdapterId is { } adapterId)
        {
            if (await adapters.FindAsync(adapterId, cancellation) is not { } adapter) return Failure.NotFound("Adapter", adapterId);
            if (adapter.BaseModelId != request.BaseModelId)
                return Failure.InvalidField("adapterId", $"Adapter '{adapter.Name}' was trained on {adapter.BaseModelName} (id {adapter.BaseModelId}), not on base model {request.BaseModelId}.");
        }
        var found = await datasets.FindAsync(request.DatasetId, caller, cancellation);
        if (found.Failure is { } unreadable) return unreadable;
        var examples = await Task.Run(() => EvaluationExamples.Read(found.Value!, max), cancellation);
        if (examples.Failure is { } unusable) return unusable;
        return await EvaluateAsync(new Target(request.BaseModelId, request.AdapterId, request.DatasetId, RunId: null), examples.Value!, caller, progress, cancellation);
    }

    /// <summary>
    /// Evaluates run <paramref name="runId"/>'s adapter on the first <paramref name="maxExamples"/> answered records the
    /// run held out of its dataset for validation (<c>validation_fraction</c>, split by its seed as training split them),
    /// with the base model alone on the same records as its baseline.
    /// </summary>
    public async Task<Result<EvaluationResult>> EvaluateRunAsync(int runId, int? maxExamples, Caller caller, Action<int, int>? progress = null, CancellationToken cancellation = default)
    {
        int max = maxExamples ?? options.Value.EvaluationExamples;
        if (CountFailure(max) is { } badCount) return badCount;
        if (await runs.GetDetailsAsync(runId, cancellation) is not { } details) return Failure.NotFound("Run", runId);
        var run = details.Run;
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
        var (data, seed) = (settings.Data, settings.Training.Seed);
        if (data.ValidationFraction <= 0)
            return Failure.Conflict("The run held out no records",
                $"Run '{run.Name}' trained on every record of '{found.Value!.Name}' (validation_fraction 0): evaluate its adapter on a separate dataset on the leaderboard.");

        var heldOut = await Task.Run(() => ReadHeldOut(found.Value!, data, seed, max), cancellation);
        if (heldOut.Failure is { } unusable) return unusable;
        return await EvaluateAsync(new Target(run.BaseModelId, adapterId, datasetId, runId), heldOut.Value!, caller, progress, cancellation);
    }

    static Result<IReadOnlyList<PromptSetExample>> ReadHeldOut(DatasetSummary dataset, DataOptions data, long seed, int max)
    {
        IReadOnlyList<DatasetRecord> records;
        try
        {
            records = HeldOutRecords.Read(dataset.FilePath, data, seed);
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

    async Task<Result<EvaluationResult>> EvaluateAsync(Target target, IReadOnlyList<PromptSetExample> records, Caller caller, Action<int, int>? progress, CancellationToken cancellation)
    {
        var baseline = await store.FindBaselineAsync(target.BaseModelId, target.DatasetId, target.RunId, cancellation);
        bool baselineFits = baseline is { } b && b.Summary.Examples == records.Count;
        if (target.AdapterId is null && baselineFits) return new EvaluationResult(baseline!.Value.Summary, baseline.Value.Summary, baseline.Value.Answers);

        int?[] columns = target.AdapterId is null || !baselineFits ? [null, .. target.AdapterId is { } a ? new int?[] { a } : []] : [target.AdapterId];
        var clock = Stopwatch.StartNew();
        var generated = await host.RunAsync(target.BaseModelId, columns.OfType<int>().ToArray(), loaded =>
        {
            var sampling = SamplingSettings.ForModel(loaded.Model.Base.GenerationDefaults) with { Seed = Seed };
            var rowOptions = columns.Select(_ => sampling.ToOptions()).ToArray();
            return BatchedAnswers.Generate(loaded, columns, rowOptions, records.Select(r => r.Messages).ToArray(), progress, cancellation);
        }, cancellation);
        if (generated.Failure is { } failure) return failure;
        double seconds = clock.Elapsed.TotalSeconds;

        var saved = new List<(EvaluationSummary Summary, IReadOnlyList<EvaluationAnswer> Answers)>();
        for (int c = 0; c < columns.Length; c++)
        {
            var answers = records.Select((r, i) => new EvaluationAnswer(r.Prompt, r.Reference!, generated.Value![i][c])).ToList();
            var metrics = GenerationMetrics.Score(answers.Select(x => x.Answer).ToList(), answers.Select(x => x.Reference).ToList());
            saved.Add((await store.SaveAsync(target.BaseModelId, columns[c], target.DatasetId, target.RunId, metrics, answers, seconds, caller.UserId, CancellationToken.None), answers));
        }
        var evaluated = saved[^1];
        var baselineSummary = columns[0] is null ? saved[0].Summary : baseline!.Value.Summary;
        return new EvaluationResult(evaluated.Summary, baselineSummary, evaluated.Answers);
    }
}
