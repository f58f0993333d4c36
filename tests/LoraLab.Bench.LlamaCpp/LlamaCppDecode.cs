using System.Diagnostics;
using LLama;
using LLama.Common;
using LLama.Native;

namespace LoraLab.Bench.LlamaCpp;

/// <summary>llama.cpp's greedy decoding through LLamaSharp's native CPU build, timed as <see cref="EngineDecode"/> times the engine.</summary>
static class LlamaCppDecode
{
    static LlamaCppDecode() => NativeLogConfig.llama_log_set((level, message) => { });

    static ModelParams Parameters(string gguf, int context, int threads) =>
        new(gguf) { ContextSize = (uint)context, GpuLayerCount = 0, Threads = threads, BatchThreads = threads, BatchSize = (uint)context };

    /// <summary>One sequence: the prompt prefilled, then <paramref name="tokens"/> steps of one token; tokens/s of the steps.</summary>
    public static double SingleStreamTokensPerSecond(string gguf, int[] prompt, int tokens, int threads)
    {
        var parameters = Parameters(gguf, prompt.Length + tokens + 1, threads);
        using var weights = LLamaWeights.LoadFromFile(parameters);
        using var context = weights.CreateContext(parameters);
        Decode(context, prompt, 4);   // warm-up
        context.NativeHandle.MemoryClear(true);
        var (_, decodeSeconds) = Decode(context, prompt, tokens);
        return tokens / decodeSeconds;
    }

    /// <summary>
    /// K adapters, one sequence each: llama.cpp applies adapters per context, so each adapter has its own context and
    /// they decode in turn. Output tokens/s over the whole (prefills included), as the engine's serving figure counts.
    /// </summary>
    public static double AdaptersTokensPerSecond(string gguf, IReadOnlyList<string> adapterGgufs, int[][] prompts, int tokens, int threads)
    {
        var parameters = Parameters(gguf, prompts.Max(p => p.Length) + tokens + 1, threads);
        using var weights = LLamaWeights.LoadFromFile(parameters);
        var adapters = adapterGgufs.Select(path => weights.NativeHandle.LoadLoraFromFile(path)).ToArray();
        var contexts = adapters.Select(adapter =>
        {
            var context = weights.CreateContext(parameters);
            context.NativeHandle.SetLoraAdapters([(adapter, 1f)]);
            return context;
        }).ToArray();
        try
        {
            Decode(contexts[0], prompts[0], 4);   // warm-up
            contexts[0].NativeHandle.MemoryClear(true);
            var clock = Stopwatch.StartNew();
            for (int k = 0; k < contexts.Length; k++) Decode(contexts[k], prompts[k], tokens);
            return contexts.Length * tokens / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var context in contexts) context.Dispose();
        }
    }

    /// <summary>Prefills <paramref name="prompt"/> and decodes <paramref name="tokens"/> argmax tokens; the seconds of each phase.</summary>
    static (double Prefill, double Decode) Decode(LLamaContext context, int[] prompt, int tokens)
    {
        var batch = new LLamaBatch();
        for (int i = 0; i < prompt.Length; i++) batch.Add((LLamaToken)prompt[i], i, LLamaSeqId.Zero, i == prompt.Length - 1);
        var clock = Stopwatch.StartNew();
        double prefill = 0;
        for (int step = 0; step <= tokens; step++)
        {
            if (context.Decode(batch) != DecodeResult.Ok) throw new InvalidOperationException("llama.cpp could not decode the batch.");
            if (step == 0) { prefill = clock.Elapsed.TotalSeconds; clock.Restart(); }
            if (step == tokens) break;
            var logits = context.NativeHandle.GetLogitsIth(batch.TokenCount - 1);
            int next = 0;
            for (int v = 1; v < logits.Length; v++)
                if (logits[v] > logits[next]) next = v;
            batch.Clear();
            batch.Add((LLamaToken)next, prompt.Length + step, LLamaSeqId.Zero, true);
        }
        return (prefill, clock.Elapsed.TotalSeconds);
    }
}
