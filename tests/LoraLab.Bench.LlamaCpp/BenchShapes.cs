using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;

namespace LoraLab.Bench.LlamaCpp;

public static class BenchShapes
{
    /// <summary>SmolLM2-135M's shape, or a tiny one of the same family (with the demo tokenizer's 1024 ids) for a quick check.</summary>
    public static ModelConfig Named(string name) => name switch
    {
        "smollm2-135m" => GenerationBenchmarkOptions.SmolLM2_135M,
        "tiny" => GenerationBenchmarkOptions.SmolLM2_135M with
        {
            HiddenSize = 64, IntermediateSize = 128, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeadsOverride = 2, VocabSize = 1024,
        },
        _ => throw new ArgumentException($"Unknown shape '{name}'; use smollm2-135m or tiny."),
    };

    /// <summary>The bundled demo model's folder, whose byte-level BPE tokenizer the exports embed (padded to the shape's vocabulary).</summary>
    public static string DemoTokenizerFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Web.sln"))) return Path.Combine(dir.FullName, "src", "LoraLab.Demo", "model");
        throw new DirectoryNotFoundException("Run from inside the repository, or pass --tokenizer DIR.");
    }
}
