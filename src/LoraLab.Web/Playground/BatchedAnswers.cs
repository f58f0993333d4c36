using LoraLab.Engine.Generation;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Web.Playground;

/// <summary>
/// Answers many conversations in several columns on a loaded base model: several prompts × every column per batch
/// (at most <see cref="RowsPerBatch"/> rows), each row with its column's adapter and sampling, in the model's chat
/// template as <see cref="PlaygroundGenerator"/> renders it. Prompt sets and evaluations both answer this way.
/// </summary>
public static class BatchedAnswers
{
    /// <summary>Rows per generation batch: prompts × columns.</summary>
    public const int RowsPerBatch = 32;

    /// <param name="adapterIds">One per column; null is the base model alone.</param>
    /// <param name="options">One per column, in the same order.</param>
    /// <param name="progress">Called after each batch with the prompts answered so far and their total.</param>
    /// <returns>Per prompt, each column's answer trimmed, in column order.</returns>
    public static string[][] Generate(PlaygroundModel loaded, IReadOnlyList<int?> adapterIds, IReadOnlyList<SamplingOptions> options,
        IReadOnlyList<IReadOnlyList<ChatMessage>> prompts, Action<int, int>? progress, CancellationToken cancellation)
    {
        var lm = loaded.Model.Base;
        var template = PlaygroundGenerator.PromptTemplate(lm);
        var stopIds = lm.StopIds(template);
        int columns = adapterIds.Count;
        var outputs = prompts.Select(_ => new string[columns]).ToArray();
        int perBatch = Math.Max(1, RowsPerBatch / columns), done = 0;
        foreach (var chunk in Enumerable.Range(0, prompts.Count).Chunk(perBatch))
        {
            cancellation.ThrowIfCancellationRequested();
            var rows = chunk.SelectMany(e => Enumerable.Range(0, columns).Select(c => (Example: e, Column: c))).ToArray();
            var encoded = chunk.ToDictionary(e => e, e => PlaygroundGenerator.Encode(lm, template, new PlaygroundPrompt(prompts[e])));
            using var run = loaded.Model.Start(rows.Select(r => encoded[r.Example]).ToArray(), rows.Select(r => PlaygroundModel.LoadedName(adapterIds[r.Column])).ToArray(),
                rows.Select(r => options[r.Column]).ToArray(), stopIds, ids => lm.Tokenizer.Decode(ids));
            foreach (var _ in run.Steps(cancellation)) { }
            // A cancelled generation ends its rows early with the tokens so far: those are not answers.
            cancellation.ThrowIfCancellationRequested();
            for (int i = 0; i < rows.Length; i++) outputs[rows[i].Example][rows[i].Column] = (run.Results[i].Text ?? "").Trim();
            done += chunk.Length;
            progress?.Invoke(done, prompts.Count);
        }
        return outputs;
    }
}
