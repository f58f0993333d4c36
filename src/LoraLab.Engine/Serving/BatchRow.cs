using LoraLab.Engine.Generation;
using static TorchSharp.torch;

namespace LoraLab.Engine.Serving;

/// <summary>
/// One request's row in a <see cref="ContinuousBatch"/>: its adapter, sampling, generated ids and text. It is created by
/// <see cref="ContinuousBatch.Join"/> and leaves the batch when it finishes or is removed.
/// </summary>
public sealed class BatchRow : IDisposable
{
    readonly List<int> generated = [];
    readonly RowText? text;
    readonly IReadOnlySet<int> eosTokenIds;

    internal BatchRow(IReadOnlyList<int> prompt, string? adapter, SamplingOptions options, IReadOnlySet<int> eosTokenIds,
        Func<IReadOnlyList<int>, string>? decode, int topLogprobs, Device device)
    {
        Prompt = prompt;
        Adapter = adapter;
        Options = options;
        this.eosTokenIds = eosTokenIds;
        TopLogprobs = topLogprobs;
        text = decode is null ? null : new RowText(decode, options.StopStrings);
        Sampler = new TokenSampler(options, device);
    }

    public IReadOnlyList<int> Prompt { get; }
    /// <summary>The routed LoRA adapter of this row, or null for the base (and for soft-prompt adapters, already in the cache).</summary>
    public string? Adapter { get; }
    public SamplingOptions Options { get; }
    /// <summary>How many alternatives to report with each token's log-probability; -1 reports none.</summary>
    public int TopLogprobs { get; }
    public IReadOnlyList<int> GeneratedIds => generated;
    public FinishReason? FinishReason { get; private set; }
    public bool IsFinished => FinishReason is not null;
    /// <summary>The text without the stop string and what follows it; null without a decode function.</summary>
    public string? Text => text?.Text;

    internal TokenSampler Sampler { get; }
    /// <summary>(1, V) bool: ids in the prompt and output, for the repetition penalty; null without one.</summary>
    internal Tensor? Seen { get; set; }
    /// <summary>Leading cache columns of this row that are padding.</summary>
    internal long Padding { get; set; }
    /// <summary>Keys this row has in the cache, virtual tokens included: its next position.</summary>
    internal long CachedTokens { get; set; }

    internal long NextInput => generated[^1];

    /// <summary>Takes the chosen token; the step's new text and finish reason come back in a <see cref="RowStep"/>.</summary>
    internal RowStep Record(int tokenId)
    {
        if (eosTokenIds.Contains(tokenId)) FinishReason = Generation.FinishReason.Eos;
        else
        {
            generated.Add(tokenId);
            if (text?.Append(tokenId) == true) FinishReason = Generation.FinishReason.Stop;
            else if (generated.Count >= Options.MaxNewTokens) FinishReason = Generation.FinishReason.Length;
        }
        return new RowStep(tokenId, text?.TakeNew(final: IsFinished) ?? "", FinishReason);
    }

    /// <summary>Ends the row from outside (the client went away); the text held back is flushed.</summary>
    internal RowStep Cancel()
    {
        FinishReason ??= Generation.FinishReason.Cancelled;
        return new RowStep(-1, text?.TakeNew(final: true) ?? "", FinishReason);
    }

    public GenerationResult Result => FinishReason is { } reason
        ? new GenerationResult(generated.ToArray(), reason, text?.Text)
        : throw new InvalidOperationException("The row is still generating.");

    public void Dispose()
    {
        Sampler.Dispose();
        Seen?.Dispose();
        Seen = null;
    }
}
