using LoraLab.Engine.Devices;
using LoraLab.Engine.Export.Gguf;
using LoraLab.Engine.Models;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace LoraLab.Bench.LlamaCpp;

/// <param name="Bf16">Also the engine in bf16 against llama.cpp's bf16 export (slow on CPUs without bf16 instructions).</param>
public sealed record SideBySideOptions(ModelConfig Shape, string ShapeName, string TokenizerFolder, int Threads = 2, int Context = 128, int Tokens = 64,
    int Adapters = 4, int Rank = 16, bool Bf16 = false);

/// <summary>
/// Tokens/s by runtime and precision; the ratios are the engine's figure over llama.cpp's. The float32/f32 single streams
/// are medians of alternated rounds, their ratio the median of the rounds' ratios.
/// </summary>
public sealed record SideBySideResult(string Shape, int Threads, int Context, int NewTokens, int Adapters, int Rank,
    IReadOnlyDictionary<string, double> SingleStreamDecodeTokensPerSecond, double EngineOverLlamaCppF32,
    IReadOnlyDictionary<string, double> AdaptersOutputTokensPerSecond, double AdaptersEngineOverLlamaCpp);

/// <summary>
/// The serving issue's side-by-side: single-stream decode of the engine against llama.cpp on the engine's own GGUF
/// export of the same random weights (f32, f16, optionally bf16), and K LoRA adapters (the engine's one continuous
/// batch against llama.cpp's one context per adapter, the only way it applies different adapters).
/// </summary>
public static class SideBySideBenchmark
{
    public static SideBySideResult Run(SideBySideOptions o)
    {
        set_num_threads(o.Threads);
        using var folder = new BenchModelFolder(o.Shape, o.TokenizerFolder, o.Adapters, o.Rank, seed: 0);
        var random = new Random(0);
        int[] Prompt() => Enumerable.Range(0, o.Context).Select(_ => random.Next(o.Shape.VocabSize)).ToArray();
        int[] prompt = Prompt();
        int[][] prompts = Enumerable.Range(0, o.Adapters).Select(_ => Prompt()).ToArray();

        // Every file written and on disk before the first measurement: the kernel writing back a fresh gigabyte would
        // otherwise share the machine with whichever runtime happens to run first.
        string f32 = folder.Gguf(GgufFileType.F32), f16 = folder.Gguf(GgufFileType.F16);
        var adapterFiles = Enumerable.Range(0, o.Adapters).Select(folder.AdapterGguf).ToArray();
        if (o.Bf16) folder.Gguf(GgufFileType.BF16);
        sync();

        // Single streams in alternated rounds, the median of each: a shared machine's quiet and busy moments fall on both.
        var rounds = Enumerable.Range(0, SingleStreamRounds).Select(_ => (
            Engine: EngineDecode.SingleStreamTokensPerSecond(folder.Model, ComputeDevice.Cpu, prompt, o.Tokens),
            LlamaCpp: LlamaCppDecode.SingleStreamTokensPerSecond(f32, prompt, o.Tokens, o.Threads))).ToArray();
        var single = new Dictionary<string, double>
        {
            ["engine_float32"] = Median(rounds.Select(r => r.Engine)),
            ["llamacpp_f32"] = Median(rounds.Select(r => r.LlamaCpp)),
            ["llamacpp_f16"] = LlamaCppDecode.SingleStreamTokensPerSecond(f16, prompt, o.Tokens, o.Threads),
        };
        if (o.Bf16)
        {
            single["engine_bf16"] = EngineDecode.SingleStreamTokensPerSecond(folder.Model, new ComputeDevice(CPU, ScalarType.BFloat16), prompt, o.Tokens);
            single["llamacpp_bf16"] = LlamaCppDecode.SingleStreamTokensPerSecond(folder.Gguf(GgufFileType.BF16), prompt, o.Tokens, o.Threads);
        }
        var adapters = new Dictionary<string, double>
        {
            ["engine_float32_one_batch"] = EngineDecode.AdaptersTokensPerSecond(folder.Model, folder.AdapterFolders, prompts, o.Tokens),
            ["llamacpp_f32_context_per_adapter"] = LlamaCppDecode.AdaptersTokensPerSecond(folder.Gguf(GgufFileType.F32), adapterFiles, prompts, o.Tokens, o.Threads),
        };
        return new SideBySideResult(o.ShapeName, o.Threads, o.Context, o.Tokens, o.Adapters, o.Rank,
            single, Median(rounds.Select(r => r.Engine / r.LlamaCpp)),
            adapters, adapters["engine_float32_one_batch"] / adapters["llamacpp_f32_context_per_adapter"]);
    }

    const int SingleStreamRounds = 3;

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>libc's sync: every written file on disk before timing starts.</summary>
    [DllImport("libc.so.6")]
    static extern void sync();
}
