using System.Diagnostics;
using LoraLab.Engine;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Web.Playground;

/// <summary>
/// Answers one prompt in every playground column at once: the base-only, LoRA and DoRA columns in one batched forward
/// pass per token, each row with its own adapter and sampling; the other adapters' columns after it, each in its own
/// batch. The answers stream to a callback at most every <see cref="UpdateInterval"/>, and once more at the end.
/// </summary>
public sealed class PlaygroundGenerator(PlaygroundModelHost host)
{
    public static readonly TimeSpan UpdateInterval = TimeSpan.FromMilliseconds(150);

    /// <param name="progress">Called from the generation thread with every column's answer so far.</param>
    public async Task<Result<PlaygroundAnswers>> GenerateAsync(PlaygroundRequest request, Action<PlaygroundAnswers>? progress = null, CancellationToken cancellation = default)
    {
        if (request.Problems() is { } problems) return Failure.Invalid("The request is invalid", problems);
        var adapterIds = request.Columns.Select(c => c.AdapterId).OfType<int>().ToArray();
        return await host.RunAsync(request.BaseModelId, adapterIds, model => Generate(model, request, progress, cancellation), cancellation);
    }

    static PlaygroundAnswers Generate(PlaygroundModel loaded, PlaygroundRequest request, Action<PlaygroundAnswers>? progress, CancellationToken cancellation)
    {
        var lm = loaded.Model.Base;
        var template = PromptTemplate(lm);
        var promptIds = Encode(lm, template, request.Prompt);
        var columns = request.Columns;
        var rowOptions = columns.Select(c => request.SamplingOf(c).ToOptions()).ToArray();
        int longest = rowOptions.Max(o => o.MaxNewTokens);
        if (promptIds.Count + longest > lm.Config.MaxPositionEmbeddings)
            throw new ArgumentException($"The prompt has {promptIds.Count} tokens; with {longest} new ones it exceeds the model's context of {lm.Config.MaxPositionEmbeddings} tokens.");

        var clock = Stopwatch.StartNew();
        using var run = loaded.Model.Start(columns.Select(_ => promptIds).ToArray(), columns.Select(c => PlaygroundModel.LoadedName(c.AdapterId)).ToArray(),
            rowOptions, lm.StopIds(request.Prompt.Messages is null ? null : template), ids => lm.Tokenizer.Decode(ids));
        var answers = columns.Select((c, i) => new ColumnAnswer(c.AdapterId, loaded.Label(c.AdapterId), "", 0, 0, null, run.PassOfRow[i], loaded.HasOwnPass(c.AdapterId))).ToArray();
        PlaygroundAnswers Snapshot(bool finished) => new(answers.ToArray(), promptIds.Count, clock.Elapsed.TotalSeconds, finished);

        var lastUpdate = TimeSpan.Zero;
        foreach (var step in run.Steps(cancellation))
        {
            foreach (var (row, rowStep) in step.Rows)
            {
                var answer = answers[row];
                if (answer.IsFinished) continue;
                answers[row] = answer with
                {
                    Text = answer.Text + rowStep.Text,
                    // The EOS that ends a row is chosen like any token but is not part of the answer.
                    Tokens = answer.Tokens + (rowStep.TokenId >= 0 && rowStep.FinishReason != FinishReason.Eos ? 1 : 0),
                    Seconds = step.PassSeconds,
                    FinishReason = rowStep.FinishReason?.ToString(),
                };
            }
            if (progress is not null && clock.Elapsed - lastUpdate >= UpdateInterval)
            {
                lastUpdate = clock.Elapsed;
                progress(Snapshot(finished: false));
            }
        }
        var results = run.Results;
        for (int row = 0; row < answers.Length; row++)
            answers[row] = answers[row] with
            {
                Text = results[row].Text ?? answers[row].Text, Tokens = results[row].TokenIds.Count, FinishReason = results[row].FinishReason.ToString(),
            };
        var final = Snapshot(finished: true);
        progress?.Invoke(final);
        return final;
    }

    /// <summary>The model's own chat template, or ChatML when it declares none the engine knows (as training does by default).</summary>
    internal static ChatTemplate PromptTemplate(LanguageModel lm) => lm.ChatTemplate ?? ChatTemplate.FromName("chatml");

    /// <summary>A conversation rendered with its generation prompt (the templates write BOS themselves); raw text with the tokenizer's special tokens.</summary>
    internal static IReadOnlyList<int> Encode(LanguageModel lm, ChatTemplate template, PlaygroundPrompt prompt) => prompt.Messages is { } messages
        ? lm.Tokenizer.Encode(template.Render(messages, addGenerationPrompt: true), addSpecialTokens: false)
        : lm.Tokenizer.Encode(prompt.Text!);
}
