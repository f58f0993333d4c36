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
    /// <param name="virtualTokens">A prompt- or prefix-tuning adapter's virtual tokens, put in front of every prompt.</param>
    public GenerationRun Start(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingOptions options, IEnumerable<int> eosTokenIds,
        Func<IReadOnlyList<int>, string>? decode = null, int? padTokenId = null, VirtualTokens? virtualTokens = null)
    {
        Validate(prompts, [options], decode, virtualTokens);
        return new GenerationRun(model, prompts, prompts.Select(_ => options).ToArray(), new TokenSampler(options, model.Device),
            eosTokenIds.ToHashSet(), padTokenId ?? model.Config.PadTokenId ?? 0, decode, virtualTokens);
    }

    /// <summary>
    /// As <see cref="Start(IReadOnlyList{IReadOnlyList{int}}, SamplingOptions, IEnumerable{int}, Func{IReadOnlyList{int}, string}?, int?, VirtualTokens?)"/>
    /// with options of each row's own: row i samples with <paramref name="rowOptions"/>[i] and a generator of its own
    /// seed, so it draws the same tokens as it would alone.
    /// </summary>
    public GenerationRun Start(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<SamplingOptions> rowOptions, IEnumerable<int> eosTokenIds,
        Func<IReadOnlyList<int>, string>? decode = null, int? padTokenId = null, VirtualTokens? virtualTokens = null)
    {
        if (rowOptions.Count != prompts.Count)
            throw new ArgumentException($"Each of the {prompts.Count} prompts needs its sampling options, got {rowOptions.Count}.");
        Validate(prompts, rowOptions, decode, virtualTokens);
        return new GenerationRun(model, prompts, rowOptions.ToArray(), new TokenSampler(rowOptions, model.Device),
            eosTokenIds.ToHashSet(), padTokenId ?? model.Config.PadTokenId ?? 0, decode, virtualTokens);
    }

    /// <summary>Generates to the end (or until cancelled) and returns every row's output.</summary>
    public IReadOnlyList<GenerationResult> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingOptions options,
        IEnumerable<int> eosTokenIds, Func<IReadOnlyList<int>, string>? decode = null, CancellationToken cancellationToken = default,
        VirtualTokens? virtualTokens = null)
    {
        using var run = Start(prompts, options, eosTokenIds, decode, virtualTokens: virtualTokens);
        foreach (var _ in run.Steps(cancellationToken)) { }
        return run.Results;
    }

    void Validate(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<SamplingOptions> options, Func<IReadOnlyList<int>, string>? decode,
        VirtualTokens? virtualTokens)
    {
        foreach (var o in options) o.Validate();
        if (options.Any(o => o.StopStrings.Count > 0) && decode is null)
            throw new ArgumentException("stop_strings need a decode function to turn generated tokens into text.");
        virtualTokens?.Validate();
        ValidatePrompts(prompts, model.Config.VocabSize);
    }

    static void ValidatePrompts(IReadOnlyList<IReadOnlyList<int>> prompts, int vocabSize)
    {
        if (prompts.Count == 0) throw new ArgumentException("No prompts were given.");
        for (int b = 0; b < prompts.Count; b++)
        {
            if (prompts[b].Count == 0) throw new ArgumentException($"Prompt {b} is empty; generation needs at least one token.");
            foreach (int id in prompts[b])
                if (id < 0 || id >= vocabSize)
                    throw new ArgumentException($"Prompt {b} holds token id {id}, outside the vocabulary [0, {vocabSize}).");
        }
    }
}
