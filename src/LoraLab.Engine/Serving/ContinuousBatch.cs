using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using static TorchSharp.torch;

namespace LoraLab.Engine.Serving;

/// <summary>
/// Continuous batching over one network, as vLLM and LoRAX serve: a request <see cref="Join"/>s between decode steps (its
/// prompt is prefilled alone, then its keys and values are appended as a new cache row), every <see cref="Step"/> decodes
/// one token for all rows in one forward pass, each row routed to its own LoRA adapter, and a row leaves as soon as it
/// finishes or is <see cref="Remove"/>d. Rows are left-padded to the longest: a row's keys are real from its own padding
/// on, and its positions count its real keys only, so it computes what it would alone. Columns that are padding in
/// every row are dropped when rows leave, so the batch does not widen forever. A prompt- or prefix-tuning row joins with
/// its virtual tokens already in its cache, so it mixes with the others. Each forward pass runs in its own dispose scope
/// under no_grad. Not thread-safe: one caller (the serving thread).
/// </summary>
public sealed class ContinuousBatch(CausalLM model) : IDisposable
{
    readonly List<BatchRow> rows = [];
    readonly KvCache cache = new(model.Config.NumHiddenLayers);
    AdapterRouting? routing;

    public CausalLM Model => model;
    public IReadOnlyList<BatchRow> Rows => rows;
    /// <summary>Columns of the cache, padding included: the width every row attends over at the next step.</summary>
    public long Width => cache.Length;

    /// <summary>
    /// Prefills <paramref name="prompt"/> alone (after <paramref name="virtualTokens"/>, if any) with
    /// <paramref name="adapter"/> routed, chooses its first token, and adds the row to the batch unless that token already
    /// finished it. The caller owns the row and disposes it once it has finished (here, in a later step, or removed).
    /// </summary>
    /// <param name="topLogprobs">-1 for no log-probabilities, otherwise how many alternatives to report (0 for the chosen token only).</param>
    public BatchRowStep Join(IReadOnlyList<int> prompt, string? adapter, SamplingOptions options, IEnumerable<int> eosTokenIds,
        Func<IReadOnlyList<int>, string>? decode = null, VirtualTokens? virtualTokens = null, int topLogprobs = -1)
    {
        options.Validate();
        if (options.StopStrings.Count > 0 && decode is null) throw new ArgumentException("stop_strings need a decode function to turn generated tokens into text.", nameof(decode));
        if (prompt.Count == 0) throw new ArgumentException("The prompt is empty; generation needs at least one token.", nameof(prompt));
        foreach (int id in prompt)
            if (id < 0 || id >= model.Config.VocabSize)
                throw new ArgumentException($"The prompt holds token id {id}, outside the vocabulary [0, {model.Config.VocabSize}).", nameof(prompt));
        virtualTokens?.Validate();

        var row = new BatchRow(prompt, adapter, options, eosTokenIds.ToHashSet(), decode, topLogprobs, model.Device);
        try
        {
            DropRouting();
            var rowCache = virtualTokens?.PrefilledCache is { } prefilled ? WithoutGrad(() => prefilled(1)) : new KvCache(model.Config.NumHiddenLayers);
            BatchRowStep first;
            using (var single = adapter is null ? null : AdapterRouting.PerRow(model, [adapter]))
            using (no_grad())
            using (NewDisposeScope())
            {
                var logits = Prefill(prompt, virtualTokens, rowCache).squeeze(1);   // (1, V)
                if (options.RepetitionPenalty != 1.0) row.Seen = SeenTokens(prompt);
                first = Choose(row, logits);
            }
            row.CachedTokens = rowCache.Length;
            if (row.IsFinished)
            {
                rowCache.Dispose();
                return first;
            }
            var (mineShift, theirsShift) = cache.AppendRows(rowCache);
            foreach (var other in rows) other.Padding += mineShift;
            row.Padding = theirsShift;
            rows.Add(row);
            return first;
        }
        catch
        {
            row.Dispose();
            throw;
        }
    }

    /// <summary>One token for every row in one forward pass; the rows that finish leave the batch.</summary>
    public IReadOnlyList<BatchRowStep> Step()
    {
        if (rows.Count == 0) return [];
        routing ??= rows.Any(r => r.Adapter is not null) ? AdapterRouting.PerRow(model, rows.Select(r => r.Adapter).ToArray()) : null;
        var steps = new BatchRowStep[rows.Count];
        using (no_grad())
        using (NewDisposeScope())
        {
            long B = rows.Count, width = cache.Length + 1;
            var real = new long[B * width];
            var positions = new long[B];
            var input = new long[B];
            for (int b = 0; b < B; b++)
            {
                for (long t = rows[b].Padding; t < width; t++) real[b * width + t] = 1;
                positions[b] = rows[b].CachedTokens;
                input[b] = rows[b].NextInput;
            }
            var logits = model.Forward(tensor(input, [B, 1], device: model.Device), tensor(positions, [B, 1], device: model.Device),
                tensor(real, [B, width], device: model.Device), cache, lastPositionOnly: true).squeeze(1);   // (B, V)
            // Plain greedy rows take one argmax over the batch and one copy to the host, instead of one each.
            long[]? argmax = rows.Any(IsPlainGreedy) ? logits.argmax(-1).cpu().data<long>().ToArray() : null;
            for (int b = 0; b < B; b++)
            {
                rows[b].CachedTokens++;
                steps[b] = IsPlainGreedy(rows[b])
                    ? new BatchRowStep(rows[b], rows[b].Record((int)argmax![b]), null)
                    : Choose(rows[b], logits.narrow(0, b, 1));
            }
        }
        RemoveWhere(r => r.IsFinished);
        return steps;
    }

    /// <summary>Takes <paramref name="row"/> out of the batch at once (its client went away); its cache row is freed.</summary>
    public BatchRowStep Remove(BatchRow row)
    {
        var step = new BatchRowStep(row, row.Cancel(), null);
        RemoveWhere(r => ReferenceEquals(r, row));
        return step;
    }

    /// <summary>The prompt's forward pass on a cache of its own; only the last position's logits, (1, 1, V).</summary>
    Tensor Prefill(IReadOnlyList<int> prompt, VirtualTokens? virtualTokens, KvCache rowCache)
    {
        long P = prompt.Count, nV = virtualTokens?.Count ?? 0, past = rowCache.Length;
        var ids = tensor(prompt.Select(id => (long)id).ToArray(), [1, P], device: model.Device);   // (1, P)
        // As GenerationRun: without virtual tokens no mask, so attention takes its plain causal path.
        var mask = nV > 0 ? ones([1, nV + P], ScalarType.Int64, model.Device) : null;                        // (1, nV + P)
        var positions = nV > 0 ? arange(past, nV + P, device: model.Device).unsqueeze(0) : null;              // (1, nV + P − past)
        return virtualTokens?.Embeddings is { } embeddings
            ? model.ForwardEmbeddings(cat([embeddings(1), model.model.embed_tokens.call(ids)], 1), positions, mask, rowCache, lastPositionOnly: true)   // (1, nV + P, D) in
            : model.Forward(ids, positions, mask, rowCache, lastPositionOnly: true);
    }

    static bool IsPlainGreedy(BatchRow row) => row.Options.IsGreedy && row.Options.RepetitionPenalty == 1.0 && row.TopLogprobs < 0;

    static BatchRowStep Choose(BatchRow row, Tensor logits)
    {
        var next = row.Sampler.Next(logits, row.Seen);   // (1)
        int tokenId = (int)next.cpu().item<long>();
        row.Seen?.scatter_(1, next.unsqueeze(1), ones_like(next.unsqueeze(1), dtype: ScalarType.Bool));
        var logprobs = row.TopLogprobs < 0 ? null : Logprobs(logits, tokenId, row.TopLogprobs);
        return new BatchRowStep(row, row.Record(tokenId), logprobs);
    }

    static TokenLogprobs Logprobs(Tensor logits, int tokenId, int top)
    {
        var logp = logits.to(ScalarType.Float32).log_softmax(-1).squeeze(0);   // (V)
        float chosen = logp[tokenId].item<float>();
        if (top == 0) return new TokenLogprobs(tokenId, chosen, []);
        var (values, indices) = logp.topk(top);
        var v = values.data<float>().ToArray();
        var i = indices.data<long>().ToArray();
        return new TokenLogprobs(tokenId, chosen, v.Select((value, k) => ((int)i[k], value)).ToArray());
    }

    Tensor SeenTokens(IReadOnlyList<int> prompt)
    {
        var seen = new bool[model.Config.VocabSize];
        foreach (int id in prompt) seen[id] = true;
        return tensor(seen, [1, seen.Length], device: model.Device).DetachFromDisposeScope();
    }

    void RemoveWhere(Predicate<BatchRow> leaves)
    {
        if (!rows.Exists(leaves)) return;
        var kept = Enumerable.Range(0, rows.Count).Where(b => !leaves(rows[b])).ToArray();
        var remaining = kept.Select(b => rows[b]).ToList();
        long leading = remaining.Count == 0 ? 0 : remaining.Min(r => r.Padding);
        cache.KeepRows(kept.Select(b => (long)b).ToArray(), leading);
        foreach (var row in remaining) row.Padding -= leading;
        rows.Clear();
        rows.AddRange(remaining);
        DropRouting();
    }

    void DropRouting()
    {
        routing?.Dispose();
        routing = null;
    }

    static T WithoutGrad<T>(Func<T> make)
    {
        using (no_grad()) return make();
    }

    public void Dispose()
    {
        DropRouting();
        cache.Dispose();
    }
}
