using System.Diagnostics;
using LoraLab.Engine.Data;
using LoraLab.Engine.Generation;
using LoraLab.Web.Accounts;
using LoraLab.Web.Datasets;

namespace LoraLab.Web.Playground;

/// <summary>
/// Runs a prompt set through every column: the answers side by side (batched by <see cref="BatchedAnswers"/>), and
/// per column the loss and perplexity of the reference answers (only their tokens, as the trainer's validation loss
/// counts them) and the exact matches.
/// </summary>
public sealed class PromptSetEvaluator(PlaygroundModelHost host, DatasetStore datasets)
{
    /// <param name="progress">Called from the generation thread with the prompts answered so far and their total.</param>
    /// <param name="caller">Who asks: a prompt set from a dataset needs one they may read.</param>
    public async Task<Result<PromptSetResult>> EvaluateAsync(PromptSetRequest request, Caller caller, Action<int, int>? progress = null, CancellationToken cancellation = default)
    {
        if (request.Columns is not { Count: > 0 and <= PlaygroundRequest.MaxColumns })
            return Failure.InvalidField("columns", $"Choose between 1 and {PlaygroundRequest.MaxColumns} columns; got {request.Columns?.Count ?? 0}.");
        if (request.MaxExamples is < 1 or > PromptSetRequest.MaxExamplesLimit)
            return Failure.InvalidField("maxExamples", $"Run between 1 and {PromptSetRequest.MaxExamplesLimit} prompts; got {request.MaxExamples}.");
        var sampling = request.Sampling ?? new SamplingSettings();
        if (sampling.Problem() is { } problem) return Failure.InvalidField("sampling", problem);
        var examples = await ExamplesAsync(request, caller, cancellation);
        if (examples.Failure is { } failure) return failure;

        var adapterIds = request.Columns.Select(c => c.AdapterId).OfType<int>().ToArray();
        return await host.RunAsync(request.BaseModelId, adapterIds, model => Evaluate(model, request.Columns, examples.Value!, sampling, progress, cancellation), cancellation);
    }

    async Task<Result<IReadOnlyList<PromptSetExample>>> ExamplesAsync(PromptSetRequest request, Caller caller, CancellationToken cancellation)
    {
        if (request.DatasetId is null == request.Items is null)
            return Failure.InvalidField("datasetId", "Give the prompts either as a dataset or as typed-in items, not both and not neither.");
        if (request.Items is { } items)
        {
            if (items.Count == 0 || items.Any(i => string.IsNullOrWhiteSpace(i.Prompt))) return Failure.InvalidField("items", "Every typed-in prompt needs some text.");
            return items.Take(request.MaxExamples).Select(PromptSetExample.FromItem).ToList();
        }
        var found = await datasets.FindAsync(request.DatasetId!.Value, caller, cancellation);
        if (found.Failure is { } unreadable) return unreadable;
        var dataset = found.Value!;
        try
        {
            var records = await Task.Run(() => DatasetReader.Read(dataset.FilePath).Records, cancellation);
            var examples = records.Select(PromptSetExample.FromRecord).OfType<PromptSetExample>().Take(request.MaxExamples).ToList();
            return examples.Count > 0 ? examples
                : Failure.InvalidField("datasetId", $"Dataset '{dataset.Name}' holds no conversation or instruction ending in a user turn to use as a prompt.");
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            return new Failure(FailureKind.Invalid, "The dataset cannot be used", e.Message);
        }
    }

    static PromptSetResult Evaluate(PlaygroundModel loaded, IReadOnlyList<PlaygroundColumn> columns, IReadOnlyList<PromptSetExample> examples,
        SamplingSettings sampling, Action<int, int>? progress, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var lm = loaded.Model.Base;
        var template = PlaygroundGenerator.PromptTemplate(lm);
        var options = columns.Select(c => (c.Sampling ?? sampling).ToOptions()).ToArray();
        var outputs = BatchedAnswers.Generate(loaded, columns.Select(c => c.AdapterId).ToArray(), options, examples.Select(e => e.Messages).ToArray(), progress, cancellation);

        var withReference = examples.Select((e, i) => (Example: e, Index: i)).Where(x => x.Example.Reference is not null).ToList();
        var encoder = new ExampleEncoder(lm.Tokenizer, template, new EncodingOptions(lm.Config.MaxPositionEmbeddings));
        var labelled = withReference
            .Select(x => encoder.Encode(DatasetRecord.Conversation(x.Index + 1, [.. x.Example.Messages, new("assistant", x.Example.Reference!)]), out _))
            .OfType<EncodedExample>().Select(e => TrainingExample.From(e, lossOnAllTokens: false)).ToList();
        var scores = columns.Select((column, c) =>
        {
            var loss = labelled.Count == 0 ? null : loaded.Model.Loss(PlaygroundModel.LoadedName(column.AdapterId), labelled, cancellation);
            int matches = withReference.Count(x => x.Example.Matches(outputs[x.Index][c]));
            return new PromptSetScore(column.AdapterId, loaded.Label(column.AdapterId), loss?.Loss, loss?.Perplexity, matches, withReference.Count);
        }).ToList();
        var table = examples.Select((e, i) => new PromptSetRow(e.Prompt, e.Reference, outputs[i])).ToList();
        return new PromptSetResult(scores, table, clock.Elapsed.TotalSeconds);
    }
}
