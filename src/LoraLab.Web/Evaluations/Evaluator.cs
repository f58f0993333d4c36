using System.Diagnostics;
using LoraLab.Engine.Evaluation.Metrics;
using LoraLab.Web.Accounts;
using LoraLab.Web.Adapters;
using LoraLab.Web.Datasets;
using LoraLab.Web.Playground;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Evaluations;

/// <summary>
/// Evaluates an adapter, or its base model alone, on a dataset: answers the records on the playground's model thread
/// (the model's chat template and generation defaults, batched by <see cref="BatchedAnswers"/>, with a fixed seed when
/// the defaults sample), scores the answers with <see cref="GenerationMetrics"/> and stores the figures. The baseline is
/// computed once per base model and dataset, in the same batches as the first adapter that needs it, and reused while
/// it covers the same records; asked for by itself, a stored baseline is returned as it is.
/// </summary>
public sealed class Evaluator(PlaygroundModelHost host, DatasetStore datasets, AdapterStore adapters, EvaluationStore store, IOptions<LoraLabOptions> options)
{
    /// <summary>The seed of the answers when the model's defaults sample, so that an evaluation can be repeated.</summary>
    public const long Seed = 0;

    /// <param name="progress">Called from the generation thread with the records answered so far and their total.</param>
    public async Task<Result<EvaluationResult>> EvaluateAsync(EvaluationRequest request, Caller caller, Action<int, int>? progress = null, CancellationToken cancellation = default)
    {
        int max = request.MaxExamples ?? options.Value.EvaluationExamples;
        if (max is < 1 or > EvaluationRequest.MaxExamplesLimit)
            return Failure.InvalidField("maxExamples", $"Evaluate between 1 and {EvaluationRequest.MaxExamplesLimit} records; got {max}.");
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
        var records = examples.Value!;

        var baseline = await store.FindBaselineAsync(request.BaseModelId, request.DatasetId, cancellation);
        bool baselineFits = baseline is { } b && b.Summary.Examples == records.Count;
        if (request.AdapterId is null && baselineFits) return new EvaluationResult(baseline!.Value.Summary, baseline.Value.Summary, baseline.Value.Answers);

        int?[] columns = request.AdapterId is null || !baselineFits ? [null, .. request.AdapterId is { } a ? new int?[] { a } : []] : [request.AdapterId];
        var clock = Stopwatch.StartNew();
        var generated = await host.RunAsync(request.BaseModelId, columns.OfType<int>().ToArray(), loaded =>
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
            saved.Add((await store.SaveAsync(request.BaseModelId, columns[c], request.DatasetId, metrics, answers, seconds, caller.UserId, CancellationToken.None), answers));
        }
        var evaluated = saved[^1];
        var baselineSummary = columns[0] is null ? saved[0].Summary : baseline!.Value.Summary;
        return new EvaluationResult(evaluated.Summary, baselineSummary, evaluated.Answers);
    }
}
