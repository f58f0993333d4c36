using LoraLab.Engine.Devices;
using LoraLab.Engine.Export.Gguf;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Bench.LlamaCpp;

/// <summary>
/// One set of random weights of a shape, as a Hugging Face folder (with the demo's tokenizer: the GGUF vocabulary is
/// padded to the shape's vocab_size, as convert_hf_to_gguf.py pads it), its GGUF exports, and K random LoRA adapters
/// both as PEFT folders and as llama.cpp adapter files: both runtimes then decode exactly the same weights.
/// </summary>
sealed class BenchModelFolder : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("loralab-bench-llamacpp-").FullName;
    public string Model => Path.Combine(Root, "model");
    public IReadOnlyList<string> AdapterFolders { get; }

    public BenchModelFolder(ModelConfig shape, string tokenizerFolder, int adapters, int rank, long seed)
    {
        using (var lm = new CausalLM(shape, CPU, ScalarType.Float32))
        {
            ModelInitializer.InitializeRandom(lm, seed);
            PretrainedModel.Save(lm, Model);
        }
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.Copy(Path.Combine(tokenizerFolder, file), Path.Combine(Model, file));

        var config = new LoraConfig { R = rank, LoraAlpha = 2 * rank, TargetModules = [LoraConfig.AllLinear] };
        var folders = new List<string>();
        using var generator = new Generator((ulong)seed + 1);
        for (int k = 0; k < adapters; k++)
        {
            using var lm = PretrainedModel.Load(Model, ComputeDevice.Cpu);
            foreach (var adapter in LoraInjection.Inject(lm, config, "default").Values)
                using (no_grad()) { adapter.lora_A.normal_(0, 0.02, generator); adapter.lora_B.normal_(0, 0.02, generator); }
            string folder = Path.Combine(Root, $"adapter{k}");
            PeftLoraFiles.Save(lm, "default", config, folder);
            folders.Add(folder);
        }
        AdapterFolders = folders;
    }

    public string Gguf(GgufFileType type)
    {
        string path = Path.Combine(Root, $"model.{type.Name()}.gguf");
        if (!File.Exists(path)) GgufModelExporter.Export(Model, null, type, path);
        return path;
    }

    public string AdapterGguf(int k)
    {
        string path = Path.Combine(Root, $"adapter{k}.gguf");
        if (!File.Exists(path)) GgufAdapterExporter.Export(Model, AdapterFolders[k], path);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
