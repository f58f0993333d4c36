using LoraLab.Engine.Devices;
using LoraLab.Engine.Export.Gguf;
using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Bench.LlamaCpp;

/// <param name="Bf16">Also the engine in bf16 against llama.cpp's bf16 export (slow on CPUs without bf16 instructions).</param>
public sealed record SideBySideOptions(ModelConfig Shape, string ShapeName, string TokenizerFolder, int Threads = 2, int Context = 128, int Tokens = 64,
    int Adapters = 4, int Rank = 16, bool Bf16 = false);

/// <summary>Tokens/s by runtime and precision; the ratios are the engine's figure over llama.cpp's.</summary>
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

        var single = new Dictionary<string, double>
        {
            ["engine_float32"] = EngineDecode.SingleStreamTokensPerSecond(folder.Model, ComputeDevice.Cpu, prompt, o.Tokens),
            ["llamacpp_f32"] = LlamaCppDecode.SingleStreamTokensPerSecond(folder.Gguf(GgufFileType.F32), prompt, o.Tokens, o.Threads),
            ["llamacpp_f16"] = LlamaCppDecode.SingleStreamTokensPerSecond(folder.Gguf(GgufFileType.F16), prompt, o.Tokens, o.Threads),
        };
        if (o.Bf16)
        {
            single["engine_bf16"] = EngineDecode.SingleStreamTokensPerSecond(folder.Model, new ComputeDevice(CPU, ScalarType.BFloat16), prompt, o.Tokens);
            single["llamacpp_bf16"] = LlamaCppDecode.SingleStreamTokensPerSecond(folder.Gguf(GgufFileType.BF16), prompt, o.Tokens, o.Threads);
        }
        var adapterFiles = Enumerable.Range(0, o.Adapters).Select(folder.AdapterGguf).ToArray();
        var adapters = new Dictionary<string, double>
        {
            ["engine_float32_one_batch"] = EngineDecode.AdaptersTokensPerSecond(folder.Model, folder.AdapterFolders, prompts, o.Tokens),
            ["llamacpp_f32_context_per_adapter"] = LlamaCppDecode.AdaptersTokensPerSecond(folder.Gguf(GgufFileType.F32), adapterFiles, prompts, o.Tokens, o.Threads),
        };
        return new SideBySideResult(o.ShapeName, o.Threads, o.Context, o.Tokens, o.Adapters, o.Rank,
            single, single["engine_float32"] / single["llamacpp_f32"],
            adapters, adapters["engine_float32_one_batch"] / adapters["llamacpp_f32_context_per_adapter"]);
    }
}
