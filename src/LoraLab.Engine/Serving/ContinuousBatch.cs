using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using static TorchSharp.torch;

namespace LoraLab.Engine.Serving;

/// <summary>
/// Continuous batching over one network, as vLLM and LoRAX serve: requests <see cref="Join(IReadOnlyList{JoinRequest})"/>
/// between decode steps (the prompts that arrived together are prefilled together, then their keys and values are
/// appended as new cache rows), every <see cref="Step"/> decodes one token for all rows in one forward pass, each row
/// routed to its own LoRA adapter, and a row leaves as soon as it finishes or is <see cref="Remove"/>d. Rows are left-padded to the longest: a row's keys are real from its own padding
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

    /// <summary>The most padded prompt tokens prefilled in one forward pass: bounds its attention scores and activations.</summary>
    public const long PrefillTokenBudget = 2048;

    /// <summary>One request: <see cref="Join(IReadOnlyList{JoinRequest})"/> of it alone.</summary>
    public BatchRowStep Join(IReadOnlyList<int> prompt, string? adapter, SamplingOptions options, IEnumerable<int> eosTokenIds,
        Func<IReadOnlyList<int>, string>? decode = null, VirtualTokens? virtualTokens = null, int topLogprobs = -1) =>
        Join([new JoinRequest(prompt, adapter, options, eosTokenIds, decode, virtualTokens, topLogprobs)])[0];

    /// <summary>
    /// Prefills the prompts of requests that arrive together, chooses each one's first token, and adds the rows that this
    /// token did not already finish. Plain prompts (no virtual tokens) of similar lengths are prefilled in one forward
    /// pass, left-padded to the longest and each row routed to its own adapter, as vLLM batches the prefills it schedules
    /// together: one pass over the weights instead of one per request. A group holds at most
    /// <see cref="PrefillTokenBudget"/> padded tokens, and no prompt shorter than half its longest, so padding wastes
    /// little. A prompt- or prefix-tuning request is prefilled alone. All or nothing: if a prefill fails, no row of these
    /// requests stays in the batch. The caller owns the rows and disposes each once it has finished (here, in a later
    /// step, or removed). Returns the first token of each request, in order.
    /// </summary>
    public IReadOnlyList<BatchRowStep> Join(IReadOnlyList<JoinRequest> requests)
    {
        foreach (var request in requests) Validate(request);
        var rowsOf = requests.Select(r => new BatchRow(r.Prompt, r.Adapter, r.Options, r.EosTokenIds.ToHashSet(), r.Decode, r.TopLogprobs, model.Device)).ToArray();
        var firsts = new BatchRowStep[requests.Count];
        var joined = new HashSet<BatchRow>();
        try
        {
            foreach (var group in PrefillGroups(requests))
            {
                var (groupCache, groupFirsts) = Prefill(group.Select(i => requests[i]).ToArray(), group.Select(i => rowsOf[i]).ToArray());
                for (int g = 0; g < group.Length; g++) firsts[group[g]] = groupFirsts[g];
                var (mineShift, theirsShift) = cache.AppendRows(groupCache);
                foreach (var other in rows) other.Padding += mineShift;
                for (int g = 0; g < group.Length; g++)
                {
                    rowsOf[group[g]].Padding += theirsShift;
                    rows.Add(rowsOf[group[g]]);
                    joined.Add(rowsOf[group[g]]);
                }
            }
            RemoveWhere(r => r.IsFinished);
            return firsts;
        }
        catch
        {
            RemoveWhere(joined.Contains);
            foreach (var row in rowsOf) row.Dispose();
            throw;
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming what <see cref="Join(IReadOnlyList{JoinRequest})"/> would refuse in <paramref name="request"/>.</summary>
    public void Validate(JoinRequest request)
    {
        request.Options.Validate();
        if (request.Options.StopStrings.Count > 0 && request.Decode is null) throw new ArgumentException("stop_strings need a decode function to turn generated tokens into text.", nameof(request));
        if (request.Prompt.Count == 0) throw new ArgumentException("The prompt is empty; generation needs at least one token.", nameof(request));
        foreach (int id in request.Prompt)
            if (id < 0 || id >= model.Config.VocabSize)
                throw new ArgumentException($"The prompt holds token id {id}, outside the vocabulary [0, {model.Config.VocabSize}).", nameof(request));
        request.VirtualTokens?.Validate();
    }

    /// <summary>Indices of the requests prefilled together: longest first, each soft-prompt request alone.</summary>
    static IEnumerable<int[]> PrefillGroups(IReadOnlyList<JoinRequest> requests)
    {
        var group = new List<int>();
        foreach (int i in Enumerable.Range(0, requests.Count).OrderByDescending(i => requests[i].Prompt.Count))
        {
            if (requests[i].VirtualTokens is not null)
            {
                yield return [i];
                continue;
            }
            long longest = group.Count == 0 ? 0 : requests[group[0]].Prompt.Count;
            if (group.Count > 0 && ((group.Count + 1) * longest > PrefillTokenBudget || 2 * requests[i].Prompt.Count < longest))
            {
                yield return group.ToArray();
                group.Clear();
            }
            group.Add(i);
        }
        if (group.Count > 0) yield return group.ToArray();
    }

    /// <summary>
    /// The prompts' forward pass on a cache of their own, left-padded to the longest, each row routed to its adapter; each
    /// row's first token chosen. Requests with the same prompt and adapter (the choices of one request, OpenAI's
    /// <c>n</c>) are prefilled once and their cache row copied. Each row's <see cref="BatchRow.Padding"/> is set to its
    /// leading padding columns in the returned cache.
    /// </summary>
    (KvCache Cache, BatchRowStep[] Firsts) Prefill(JoinRequest[] group, BatchRow[] groupRows)
    {
        var virtualTokens = group.Length == 1 ? group[0].VirtualTokens : null;
        var groupCache = virtualTokens?.PrefilledCache is { } prefilled ? WithoutGrad(() => prefilled(1)) : new KvCache(model.Config.NumHiddenLayers);
        try
        {
            var distinct = new List<int>();        // the first request of each distinct (prompt, adapter)
            var source = new long[group.Length];   // each request's row among them
            for (int g = 0; g < group.Length; g++)
            {
                int d = distinct.FindIndex(u => group[u].Adapter == group[g].Adapter && group[u].Prompt.SequenceEqual(group[g].Prompt));
                if (d < 0) distinct.Add(g);
                source[g] = d < 0 ? distinct.Count - 1 : d;
            }
            var prompts = distinct.Select(u => group[u]).ToArray();
            long longest = group.Max(r => r.Prompt.Count);
            var pads = group.Select(r => longest - r.Prompt.Count).ToArray();
            var firsts = new BatchRowStep[group.Length];
            RouteRows(prompts.Select(r => r.Adapter).ToArray());
            using (no_grad())
            using (NewDisposeScope())
            {
                var logits = (virtualTokens is null
                    ? PrefillPadded(prompts, groupCache)
                    : PrefillVirtual(group[0].Prompt, virtualTokens, groupCache)).squeeze(1);   // (distinct, V)
                if (distinct.Count < group.Length) groupCache.KeepRows(source);                     // (G, …) rows
                for (int g = 0; g < group.Length; g++)
                {
                    if (group[g].Options.RepetitionPenalty != 1.0) groupRows[g].Seen = SeenTokens(group[g].Prompt);
                    firsts[g] = Choose(groupRows[g], logits.narrow(0, source[g], 1));
                    groupRows[g].CachedTokens = groupCache.Length - pads[g];
                    groupRows[g].Padding = pads[g];
                }
            }
            return (groupCache, firsts);
        }
        catch
        {
            groupCache.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Plain prompts (G of them) left-padded to the longest: each row's positions count its real tokens only, and padding
    /// keys are masked, so each row computes what it would alone. Only the last position's logits, (G, 1, V).
    /// </summary>
    Tensor PrefillPadded(JoinRequest[] group, KvCache groupCache)
    {
        long G = group.Length, longest = group.Max(r => r.Prompt.Count);
        var padding = group.Select(r => longest - r.Prompt.Count).ToArray();
        var ids = new long[G * longest];
        var real = new long[G * longest];
        var positions = new long[G * longest];
        for (int g = 0; g < G; g++)
            for (long t = padding[g]; t < longest; t++)
            {
                ids[g * longest + t] = group[g].Prompt[(int)(t - padding[g])];
                real[g * longest + t] = 1;
                positions[g * longest + t] = t - padding[g];
            }
        // Without padding no mask and default positions, so attention takes its plain causal path.
        bool padded = padding.Any(p => p > 0);
        return model.Forward(tensor(ids, [G, longest], device: model.Device),
            padded ? tensor(positions, [G, longest], device: model.Device) : null,
            padded ? tensor(real, [G, longest], device: model.Device) : null, groupCache, lastPositionOnly: true);
    }

    /// <summary>A soft-prompt request's prompt after its virtual tokens (in <paramref name="rowCache"/> already, or prepended as embeddings); (1, 1, V).</summary>
    Tensor PrefillVirtual(IReadOnlyList<int> prompt, VirtualTokens virtualTokens, KvCache rowCache)
    {
        long P = prompt.Count, nV = virtualTokens.Count, past = rowCache.Length;
        var ids = tensor(prompt.Select(id => (long)id).ToArray(), [1, P], device: model.Device);   // (1, P)
        var mask = ones([1, nV + P], ScalarType.Int64, model.Device);                             // (1, nV + P)
        var positions = arange(past, nV + P, device: model.Device).unsqueeze(0);                  // (1, nV + P − past)
        return virtualTokens.Embeddings is { } embeddings
            ? model.ForwardEmbeddings(cat([embeddings(1), model.model.embed_tokens.call(ids)], 1), positions, mask, rowCache, lastPositionOnly: true)   // (1, nV + P, D) in
            : model.Forward(ids, positions, mask, rowCache, lastPositionOnly: true);
    }

    /// <summary>One token for every row in one forward pass; the rows that finish leave the batch.</summary>
    public IReadOnlyList<BatchRowStep> Step()
    {
        if (rows.Count == 0) return [];
        RouteRows(rows.Select(r => r.Adapter).ToArray());
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

    /// <summary>
    /// Routes the rows of the next forward pass to <paramref name="adapters"/> (null: the base), keeping the routing in
    /// place when it already routes that sequence: a group prefilled into an empty batch keeps its routing for its steps.
    /// </summary>
    void RouteRows(IReadOnlyList<string?> adapters)
    {
        if (routing is not null && routing.RowAdapters.SequenceEqual(adapters)) return;
        DropRouting();
        if (adapters.Any(a => a is not null)) routing = AdapterRouting.PerRow(model, adapters);
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
