using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Generation;

/// <summary>
/// One batched generation with a KV cache. Prompts are left-padded so that every row's next token sits in the last
/// column; <c>keyIsReal</c> marks the padding, and positions count real tokens only, so a padded row computes what it
/// would alone. Rows finish independently; a finished row is fed the pad token (masked out) and its output is frozen.
/// Each step runs in its own dispose scope under no_grad, and nothing is held open between steps, so the caller may
/// await between them. The caller puts the model in eval mode. Each row may have its own sampling options (its own
/// token budget and stop strings). <see cref="VirtualTokens"/> of a prompt- or prefix-tuning adapter come before every
/// prompt, as always-real keys in front of the padding.
/// </summary>
public sealed class GenerationRun : IDisposable
{
    readonly CausalLM model;
    readonly SamplingOptions[] rowOptions;
    readonly IReadOnlySet<int> eosTokenIds;
    readonly int padTokenId;
    readonly bool promptsArePadded;
    readonly KvCache cache;
    readonly TokenSampler sampler;
    readonly Tensor keyIsReal;   // (B, nV + P + max_new_tokens) int64, nV virtual tokens first, the first cache.Length + 1 columns in use
    readonly Tensor? seen;       // (B, V) bool: ids in each row's prompt and output, for the repetition penalty
    Tensor? promptIds;           // (B, P) int64, left-padded; released after the prefill
    readonly VirtualTokens? virtualTokens;
    readonly List<int>[] generated;
    readonly FinishReason?[] finishReasons;
    readonly RowText?[] texts;
    readonly long[] nextInput;   // the token each row feeds at the next step
    int stepIndex;
    bool disposed;

    /// <param name="rowOptions">One per row.</param>
    /// <param name="sampler">Draws with the same options as <paramref name="rowOptions"/>, shared or per row.</param>
    internal GenerationRun(CausalLM model, IReadOnlyList<IReadOnlyList<int>> prompts, SamplingOptions[] rowOptions, TokenSampler sampler,
        IReadOnlySet<int> eosTokenIds, int padTokenId, Func<IReadOnlyList<int>, string>? decode, VirtualTokens? virtualTokens)
    {
        this.model = model;
        this.rowOptions = rowOptions;
        this.sampler = sampler;
        this.eosTokenIds = eosTokenIds;
        this.padTokenId = padTokenId;
        this.virtualTokens = virtualTokens;
        int B = prompts.Count, P = prompts.Max(p => p.Count), nV = virtualTokens?.Count ?? 0;
        promptsArePadded = prompts.Any(p => p.Count < P);
        generated = prompts.Select(_ => new List<int>()).ToArray();
        finishReasons = new FinishReason?[B];
        texts = rowOptions.Select(o => decode is null ? null : new RowText(decode, o.StopStrings)).ToArray();
        nextInput = new long[B];
        using (no_grad()) cache = virtualTokens?.PrefilledCache?.Invoke(B) ?? new KvCache(model.Config.NumHiddenLayers);

        long width = nV + P + rowOptions.Max(o => o.MaxNewTokens);
        var ids = new long[B * P];
        var real = new long[B * width];
        for (int b = 0; b < B; b++)
        {
            int pad = P - prompts[b].Count;
            for (int v = 0; v < nV; v++) real[b * width + v] = 1;
            for (int t = 0; t < P; t++)
            {
                ids[b * P + t] = t < pad ? padTokenId : prompts[b][t - pad];
                real[b * width + nV + t] = t < pad ? 0 : 1;
            }
        }
        promptIds = tensor(ids, [B, P], device: model.Device).DetachFromDisposeScope();
        keyIsReal = tensor(real, [B, width], device: model.Device).DetachFromDisposeScope();
        if (rowOptions.Any(o => o.RepetitionPenalty != 1.0)) seen = SeenTokens(prompts, model.Config.VocabSize, model.Device);
    }

    public bool IsFinished => finishReasons.All(r => r is not null);

    /// <summary>Every row's output, once <see cref="Steps"/> has run to the end.</summary>
    public IReadOnlyList<GenerationResult> Results => IsFinished
        ? generated.Select((ids, b) => new GenerationResult(ids.ToArray(), finishReasons[b]!.Value, texts[b]?.Text)).ToArray()
        : throw new InvalidOperationException("The generation is still running: enumerate Steps to the end before reading the results.");

    /// <summary>
    /// Runs the generation one step per item. On cancellation every unfinished row ends with
    /// <see cref="FinishReason.Cancelled"/> in a last step that flushes its text; the results keep the tokens so far.
    /// </summary>
    public IEnumerable<GenerationStep> Steps(CancellationToken cancellationToken = default)
    {
        while (!IsFinished)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                yield return CancelRemainingRows();
                yield break;
            }
            yield return Advance();
        }
    }

    GenerationStep Advance()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        long[] chosen;
        using (no_grad())
        using (NewDisposeScope())
        {
            var logits = stepIndex == 0 ? Prefill() : Decode();    // (B, 1, V)
            var next = sampler.Next(logits.squeeze(1), seen);      // (B)
            seen?.scatter_(1, next.unsqueeze(1), ones_like(next.unsqueeze(1), dtype: ScalarType.Bool));
            chosen = next.cpu().data<long>().ToArray();
        }
        var rows = new RowStep[chosen.Length];
        for (int b = 0; b < rows.Length; b++) rows[b] = Record(b, (int)chosen[b]);
        if (IsFinished) cache.Dispose();
        return new GenerationStep(stepIndex++, rows);
    }

    /// <summary>
    /// The whole prompt in one forward pass, after the virtual tokens (fed as embeddings, or already in the cache);
    /// only the last position's logits are computed.
    /// </summary>
    Tensor Prefill()
    {
        long past = cache.Length, nV = virtualTokens?.Count ?? 0, P = promptIds!.shape[1];
        // Without padding or virtual tokens, no mask lets attention take its plain causal path.
        var mask = promptsArePadded || nV > 0 ? keyIsReal.narrow(1, 0, nV + P) : null;               // (B, nV + P)
        var positions = mask is null ? null : (mask.cumsum(1) - 1).clamp_min(0).narrow(1, past, nV + P - past);   // (B, nV + P − past)
        var logits = virtualTokens?.Embeddings is { } virtualEmbeddings
            ? model.ForwardEmbeddings(cat([virtualEmbeddings(promptIds.shape[0]), model.model.embed_tokens.call(promptIds)], 1),   // (B, nV + P, D)
                positions, mask, cache, lastPositionOnly: true)
            : model.Forward(promptIds, positions, mask, cache, lastPositionOnly: true);
        promptIds.Dispose();
        promptIds = null;
        return logits;
    }

    /// <summary>One token per row; a finished row's pad token is marked as padding.</summary>
    Tensor Decode()
    {
        long past = cache.Length;
        var active = finishReasons.Select(r => r is null ? 1L : 0L).ToArray();
        keyIsReal.narrow(1, past, 1).copy_(tensor(active, [active.Length, 1], device: model.Device));
        var mask = keyIsReal.narrow(1, 0, past + 1);                           // (B, past + 1)
        var positions = (mask.sum(1, keepdim: true) - 1).clamp_min(0);         // (B, 1)
        var input = tensor(nextInput, [nextInput.Length, 1], device: model.Device);   // (B, 1)
        return model.Forward(input, positions, mask, cache, lastPositionOnly: true);
    }

    RowStep Record(int row, int tokenId)
    {
        if (finishReasons[row] is { } earlier) return new RowStep(-1, "", earlier);
        if (eosTokenIds.Contains(tokenId)) finishReasons[row] = FinishReason.Eos;
        else
        {
            generated[row].Add(tokenId);
            if (texts[row]?.Append(tokenId) == true) finishReasons[row] = FinishReason.Stop;
            else if (stepIndex + 1 >= rowOptions[row].MaxNewTokens) finishReasons[row] = FinishReason.Length;
        }
        nextInput[row] = finishReasons[row] is null ? tokenId : padTokenId;
        string text = texts[row]?.TakeNew(final: finishReasons[row] is not null) ?? "";
        return new RowStep(tokenId, text, finishReasons[row]);
    }

    GenerationStep CancelRemainingRows()
    {
        var rows = new RowStep[finishReasons.Length];
        for (int b = 0; b < rows.Length; b++)
        {
            bool running = finishReasons[b] is null;
            finishReasons[b] ??= FinishReason.Cancelled;
            rows[b] = new RowStep(-1, running ? texts[b]?.TakeNew(final: true) ?? "" : "", finishReasons[b]);
        }
        cache.Dispose();
        return new GenerationStep(stepIndex++, rows);
    }

    static Tensor SeenTokens(IReadOnlyList<IReadOnlyList<int>> prompts, int vocabSize, Device device)
    {
        var seen = new bool[prompts.Count * vocabSize];
        for (int b = 0; b < prompts.Count; b++)
            foreach (int id in prompts[b]) seen[b * vocabSize + id] = true;
        return tensor(seen, [prompts.Count, vocabSize], device: device).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        disposed = true;
        cache.Dispose();
        sampler.Dispose();
        promptIds?.Dispose();
        keyIsReal.Dispose();
        seen?.Dispose();
    }
}
