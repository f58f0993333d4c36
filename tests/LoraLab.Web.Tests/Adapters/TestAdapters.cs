using System.IO.Compression;
using System.Text.Json.Nodes;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Web.Tests.Adapters;

/// <summary>PEFT adapter folders and zips for the library tests, written by the engine as training would leave them.</summary>
public static class TestAdapters
{
    /// <summary>A LoRA adapter for the model in <paramref name="modelFolder"/>, with factors far from their initial values.</summary>
    public static string WriteLora(string modelFolder, string adapterFolder, LoraConfig config, long seed)
    {
        using var lm = PretrainedModel.Load(modelFolder, ComputeDevice.Cpu);
        return Write(lm, adapterFolder, config, seed);
    }

    /// <summary>A LoRA adapter for a Llama like <see cref="TinyModelFolder"/>'s but with another hidden size, so its shapes fit no tiny model.</summary>
    public static string WriteLoraOfAnotherShape(string adapterFolder, LoraConfig config)
    {
        var shape = ModelConfig.Parse(new JsonObject
        {
            ["architectures"] = new JsonArray("LlamaForCausalLM"), ["vocab_size"] = 64, ["hidden_size"] = 48,
            ["intermediate_size"] = 64, ["num_hidden_layers"] = 2, ["num_attention_heads"] = 4, ["num_key_value_heads"] = 2,
        });
        using var lm = new CausalLM(shape, CPU, ScalarType.Float32);
        return Write(lm, adapterFolder, config, seed: 1);
    }

    static string Write(CausalLM lm, string adapterFolder, LoraConfig config, long seed)
    {
        var g = new Generator((ulong)seed);
        using (no_grad())
            foreach (var adapter in LoraInjection.Inject(lm, config, "default").Values)
            {
                adapter.lora_A.normal_(0, 0.3, g);
                adapter.lora_B.normal_(0, 0.3, g);
            }
        PeftLoraFiles.Save(lm, "default", config, adapterFolder);
        return adapterFolder;
    }

    /// <summary>The folder's files as a zip, at its root or under <paramref name="inFolder"/>.</summary>
    public static byte[] Zip(string folder, string? inFolder = null) =>
        ZipOf(Directory.EnumerateFiles(folder).Select(f => ((inFolder is null ? "" : inFolder + "/") + Path.GetFileName(f), File.ReadAllBytes(f))).ToArray());

    public static byte[] ZipOf(params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(content);
            }
        return buffer.ToArray();
    }

    /// <summary>s·B·A of every module of an adapter folder in float64, by module path.</summary>
    public static Dictionary<string, Tensor> Updates(string adapterFolder)
    {
        var config = LoraConfig.Load(adapterFolder);
        using var file = AdapterFolder.OpenWeights(adapterFolder);
        const string suffix = ".lora_A.weight";
        return file.Tensors.Keys.Where(k => k.EndsWith(suffix, StringComparison.Ordinal)).ToDictionary(
            k => k[AdapterFolder.KeyPrefix.Length..^suffix.Length],
            k =>
            {
                string path = k[AdapterFolder.KeyPrefix.Length..^suffix.Length];
                var a = file.Load(k, CPU, ScalarType.Float64);
                var b = file.Load(k.Replace(suffix, ".lora_B.weight", StringComparison.Ordinal), CPU, ScalarType.Float64);
                return b.matmul(a) * config.ScalingFor(path);
            });
    }
}
