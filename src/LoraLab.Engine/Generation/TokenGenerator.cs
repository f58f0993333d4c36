using LoraLab.Engine.Models;

namespace LoraLab.Engine.Generation;

/// <summary>Generates continuations of token-id prompts with a causal LM; text enters only through a decode function.</summary>
public sealed class TokenGenerator(CausalLM model)
{
    /// <summary>
    /// Starts a batched generation; enumerate <see cref="GenerationRun.Steps"/> to stream it, then read the results.
    /// </summary>
    /// <param name="prompts">One list of token ids per row; lengths may differ.</param>
    /// <param name="eosTokenIds">Ids that end a row (not included in its output).</param>
    /// <param name="decode">Turns a row's generated ids into text; required for stop strings.</param>
    /// <param name="padTokenId">Fed where there is no token; masked out, so its value never changes results.</param>
    public GenerationRun Start(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingOptions options, IEnumerable<int> eosTokenIds,
        Func<IReadOnlyList<int>, string>? decode = null, int? padTokenId = null)
    {
        options.Validate();
        if (options.StopStrings.Count > 0 && decode is null)
            throw new ArgumentException("stop_strings need a decode function to turn generated tokens into text.", nameof(decode));
        ValidatePrompts(prompts, model.Config.VocabSize);
        return new GenerationRun(model, prompts, options, eosTokenIds.ToHashSet(), padTokenId ?? model.Config.PadTokenId ?? 0, decode);
    }

    /// <summary>Generates to the end (or until cancelled) and returns every row's output.</summary>
    public IReadOnlyList<GenerationResult> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingOptions options,
        IEnumerable<int> eosTokenIds, Func<IReadOnlyList<int>, string>? decode = null, CancellationToken cancellationToken = default)
    {
        using var run = Start(prompts, options, eosTokenIds, decode);
        foreach (var _ in run.Steps(cancellationToken)) { }
        return run.Results;
    }

    static void ValidatePrompts(IReadOnlyList<IReadOnlyList<int>> prompts, int vocabSize)
    {
        if (prompts.Count == 0) throw new ArgumentException("No prompts were given.", nameof(prompts));
        for (int b = 0; b < prompts.Count; b++)
        {
            if (prompts[b].Count == 0) throw new ArgumentException($"Prompt {b} is empty; generation needs at least one token.", nameof(prompts));
            foreach (int id in prompts[b])
                if (id < 0 || id >= vocabSize)
                    throw new ArgumentException($"Prompt {b} holds token id {id}, outside the vocabulary [0, {vocabSize}).", nameof(prompts));
        }
    }
}
