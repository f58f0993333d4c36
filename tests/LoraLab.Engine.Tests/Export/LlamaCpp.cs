using LLama;
using LLama.Common;
using LLama.Native;

namespace LoraLab.Engine.Tests.Export;

/// <summary>
/// llama.cpp itself (through LLamaSharp's native CPU build), as the reader that decides whether an exported GGUF file
/// is right: its tokenizer and its greedy decoding, with nothing of the engine in between.
/// </summary>
sealed class LlamaCpp : IDisposable
{
    readonly LLamaWeights weights;
    readonly ModelParams parameters;

    static LlamaCpp() => NativeLogConfig.llama_log_set((level, message) => { });   // keep test output quiet

    readonly LoraAdapter? adapter;

    /// <param name="adapterPath">A llama.cpp adapter GGUF applied at scale 1 to every context, or null.</param>
    public LlamaCpp(string ggufPath, string? adapterPath = null)
    {
        parameters = new ModelParams(ggufPath) { ContextSize = 128, GpuLayerCount = 0, Threads = 1, BatchThreads = 1, BatchSize = 128 };
        weights = LLamaWeights.LoadFromFile(parameters);
        if (adapterPath is not null) adapter = weights.NativeHandle.LoadLoraFromFile(adapterPath);
    }

    LLamaContext CreateContext()
    {
        var context = weights.CreateContext(parameters);
        if (adapter is { } lora) context.NativeHandle.SetLoraAdapters([(lora, 1f)]);
        return context;
    }

    public string Metadata(string key) => weights.Metadata.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    /// <summary>llama.cpp's ids for <paramref name="text"/>, without BOS, with special tokens recognised.</summary>
    public int[] Tokenize(string text)
    {
        using var context = CreateContext();
        return context.Tokenize(text, addBos: false, special: true).Select(t => (int)t).ToArray();
    }

    /// <summary>The prompt followed by <paramref name="count"/> argmax tokens, one decode step each, no EOS stop.</summary>
    public int[] Greedy(IReadOnlyList<int> prompt, int count)
    {
        using var context = CreateContext();
        var ids = prompt.ToList();
        var batch = new LLamaBatch();
        for (int i = 0; i < prompt.Count; i++) batch.Add((LLamaToken)prompt[i], i, LLamaSeqId.Zero, i == prompt.Count - 1);
        for (int step = 0; step < count; step++)
        {
            if (context.Decode(batch) != DecodeResult.Ok) throw new InvalidOperationException("llama.cpp could not decode the batch.");
            var logits = context.NativeHandle.GetLogitsIth(batch.TokenCount - 1);
            int next = 0;
            for (int v = 1; v < logits.Length; v++)
                if (logits[v] > logits[next]) next = v;
            ids.Add(next);
            batch.Clear();
            batch.Add((LLamaToken)next, ids.Count - 1, LLamaSeqId.Zero, true);
        }
        return ids.ToArray();
    }

    public void Dispose() => weights.Dispose();
}
