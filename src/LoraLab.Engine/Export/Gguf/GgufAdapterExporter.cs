using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// Writes a PEFT LoRA adapter as a llama.cpp adapter file, in convert_lora_to_gguf.py's layout: <c>general.type</c>
/// "adapter", <c>adapter.type</c> "lora", <c>adapter.lora.alpha</c>, and per module
/// <c>blk.N.attn_q.weight.lora_a</c> (r × in) and <c>.lora_b</c> (out × r) in F32, with lora_b's rows permuted like
/// the base q/k weights for the <c>llama</c> architecture. llama.cpp scales each update by alpha / r, so the alpha
/// written is PEFT's scaling × r (which also carries rsLoRA's alpha / √r).
/// </summary>
public static class GgufAdapterExporter
{
    const string Prefix = "base_model.model.";

    public static void Export(string modelDirectory, string adapterDirectory, string outputPath, string? baseGgufFileName = null,
        IProgress<GgufExportProgress>? progress = null, CancellationToken cancellation = default)
    {
        var config = ModelConfig.Load(modelDirectory);
        string peftType = AdapterFolder.PeftType(adapterDirectory);
        if (peftType != "LORA")
            throw new NotSupportedException($"{adapterDirectory}: llama.cpp adapter files hold LoRA only, not {peftType}; export the model with the adapter merged instead (loralab export gguf --adapter).");
        var lora = LoraConfig.Load(adapterDirectory);
        if (lora.UseDora)
            throw new NotSupportedException($"{adapterDirectory}: DoRA's magnitude vectors have no place in a llama.cpp adapter file; export the model with the adapter merged instead (loralab export gguf --adapter).");

        using var file = SafetensorsFile.Open(Path.Combine(adapterDirectory, "adapter_model.safetensors"));
        var tensors = new List<GgufTensor>();
        var alphas = new HashSet<double>();
        bool permute = GgufArchitecture.PermutesQueryKey(config);
        foreach (string key in file.Tensors.Keys.Where(k => k.EndsWith(".lora_A.weight", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            string module = key[Prefix.Length..^".lora_A.weight".Length];   // model.layers.0.self_attn.q_proj
            string bKey = $"{Prefix}{module}.lora_B.weight";
            if (!file.Tensors.ContainsKey(bKey)) throw new InvalidDataException($"{adapterDirectory}: {key} has no {bKey} beside it.");
            string name = GgufTensorNames.FromHuggingFace(module + ".weight");
            int rank = lora.RankFor(module);
            alphas.Add(Math.Round(lora.ScalingFor(module) * rank, 9));
            int? heads = !permute ? null
                : module.EndsWith("self_attn.q_proj", StringComparison.Ordinal) ? config.NumAttentionHeads
                : module.EndsWith("self_attn.k_proj", StringComparison.Ordinal) ? config.NumKeyValueHeads
                : null;
            long[] aShape = file.Tensors[key].Shape.ToArray(), bShape = file.Tensors[bKey].Shape.ToArray();
            string aKey = key;
            tensors.Add(new GgufTensor(name + ".lora_a", aShape, GgmlType.F32, () => FloatEncoding.F32(Read(file, aKey, null))));
            tensors.Add(new GgufTensor(name + ".lora_b", bShape, GgmlType.F32, () => FloatEncoding.F32(Read(file, bKey, heads))));
        }
        if (tensors.Count == 0) throw new InvalidDataException($"{adapterDirectory}: adapter_model.safetensors holds no lora_A/lora_B weights.");
        if (alphas.Count > 1)
            throw new NotSupportedException($"{adapterDirectory}: rank_pattern/alpha_pattern give modules different alpha/r ratios ({string.Join(", ", alphas)}), but a llama.cpp adapter file has one alpha.");

        var metadata = new GgufMetadata()
            .String("general.architecture", GgufArchitecture.Name(config))
            .String("general.type", "adapter")
            .String("general.name", Path.GetFileName(Path.GetFullPath(adapterDirectory).TrimEnd(Path.DirectorySeparatorChar)))
            .UInt32("general.alignment", GgufWriter.Alignment)
            .String("adapter.type", "lora")
            .Float32("adapter.lora.alpha", (float)alphas.Single());
        progress?.Report(new("Writing", 0, tensors.Count));
        GgufWriter.Write(outputPath, metadata, tensors, new ImmediateProgress<int>(n => progress?.Report(new("Writing", n, tensors.Count))), cancellation);
        string baseFile = baseGgufFileName ?? Path.GetFileName(Path.GetFullPath(modelDirectory).TrimEnd(Path.DirectorySeparatorChar)) + ".gguf";
        File.WriteAllText(OllamaModelfile.PathFor(outputPath), OllamaModelfile.Build(baseFile, modelDirectory, Path.GetFileName(outputPath)));
    }

    static float[] Read(SafetensorsFile file, string key, int? rotaryHeads)
    {
        float[] values;
        long[] shape;
        using (NewDisposeScope())
        {
            var tensor = file.Load(key, CPU, ScalarType.Float32);
            shape = tensor.shape;
            values = tensor.contiguous().data<float>().ToArray();
        }
        return rotaryHeads is int heads ? RotaryPermutation.Permute(values, (int)shape[0], (int)shape[1], heads) : values;
    }
}
