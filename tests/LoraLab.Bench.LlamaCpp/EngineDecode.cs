using System.Diagnostics;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Serving;

namespace LoraLab.Bench.LlamaCpp;

/// <summary>The engine's greedy decoding of the same folder, timed as <see cref="LlamaCppDecode"/> times llama.cpp.</summary>
static class EngineDecode
{
    /// <summary>One sequence through <see cref="TokenGenerator"/>: the prompt prefilled, then tokens/s of <paramref name="tokens"/> steps.</summary>
    public static double SingleStreamTokensPerSecond(string model, ComputeDevice device, int[] prompt, int tokens)
    {
        using var lm = PretrainedModel.Load(model, device);
        lm.eval();
        var generator = new TokenGenerator(lm);
        Time(generator, prompt, 4);   // warm-up
        return tokens / Time(generator, prompt, tokens);
    }

    static double Time(TokenGenerator generator, int[] prompt, int tokens)
    {
        using var run = generator.Start([prompt], SamplingOptions.Greedy with { MaxNewTokens = tokens + 1 }, eosTokenIds: []);
        using var steps = run.Steps().GetEnumerator();
        steps.MoveNext();   // the prefill and its token
        var clock = Stopwatch.StartNew();
        while (steps.MoveNext()) { }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// K adapters, one sequence each, joined together to one <see cref="ContinuousBatch"/> as the serving thread admits
    /// requests that arrive together (their prompts prefilled in one pass): output
    /// tokens/s over the whole (prefills included).
    /// </summary>
    public static double AdaptersTokensPerSecond(string model, IReadOnlyList<string> adapterFolders, int[][] prompts, int tokens)
    {
        using var lm = PretrainedModel.Load(model, ComputeDevice.Cpu);
        var names = adapterFolders.Select((folder, k) => { PeftLoraFiles.Load(lm, folder, $"adapter{k}"); return $"adapter{k}"; }).ToArray();
        LoraInjection.SetActive(lm, null);
        lm.eval();
        var options = SamplingOptions.Greedy with { MaxNewTokens = tokens };
        Run(lm, names.Take(1).ToArray(), prompts, options with { MaxNewTokens = 4 });   // warm-up
        var clock = Stopwatch.StartNew();
        int generated = Run(lm, names, prompts, options);
        return generated / clock.Elapsed.TotalSeconds;
    }

    static int Run(CausalLM lm, string[] adapters, int[][] prompts, SamplingOptions options)
    {
        using var batch = new ContinuousBatch(lm);
        var rows = batch.Join(adapters.Select((adapter, k) => new JoinRequest(prompts[k], adapter, options, [])).ToArray()).Select(first => first.Row).ToList();
        int generated = rows.Count;
        while (batch.Rows.Count > 0) generated += batch.Step().Count();
        foreach (var row in rows) row.Dispose();
        return generated;
    }
}
