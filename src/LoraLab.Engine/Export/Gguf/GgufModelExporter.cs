using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Ia3;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// Writes a model folder, optionally with an adapter merged into it, as one GGUF file that llama.cpp, Ollama and
/// LM Studio load, and an Ollama Modelfile beside it. The model is loaded once in float32 on the CPU; each tensor is
/// converted only when the writer reaches it, so at most one converted tensor is held beside the model.
/// </summary>
public static class GgufModelExporter
{
    public static void Export(string modelDirectory, string? adapterDirectory, GgufFileType fileType, string outputPath,
        IProgress<GgufExportProgress>? progress = null, CancellationToken cancellation = default)
    {
        var config = ModelConfig.Load(modelDirectory);
        var metadata = new GgufMetadata();
        string name = Path.GetFileName(Path.GetFullPath(modelDirectory).TrimEnd(Path.DirectorySeparatorChar));
        if (adapterDirectory is not null) name += "+" + Path.GetFileName(Path.GetFullPath(adapterDirectory).TrimEnd(Path.DirectorySeparatorChar));
        GgufArchitecture.AddGeneral(metadata, config, name, fileType);
        GgufArchitecture.AddHyperParameters(metadata, config);
        GgufVocabulary.Add(metadata, modelDirectory, config);   // before the weights: a tokenizer we cannot write fails fast

        progress?.Report(new("Loading the model", 0, 0));
        using var lm = PretrainedModel.Load(modelDirectory, ComputeDevice.Cpu);
        if (adapterDirectory is not null)
        {
            progress?.Report(new("Merging the adapter", 0, 0));
            MergeAdapter(lm, adapterDirectory);
        }
        lm.eval();
        var tensors = Plan(lm, config, fileType);
        progress?.Report(new("Writing", 0, tensors.Count));
        GgufWriter.Write(outputPath, metadata, tensors, new ImmediateProgress<int>(n => progress?.Report(new("Writing", n, tensors.Count))), cancellation);
        OllamaModelfile.WriteBeside(outputPath, modelDirectory, adapterFile: null);
    }

    /// <summary>Folds LoRA, DoRA or IA3 into the base weights; other adapter kinds change no weight and are refused.</summary>
    static void MergeAdapter(CausalLM lm, string adapterDirectory)
    {
        string peftType = AdapterFolder.PeftType(adapterDirectory);
        switch (peftType)
        {
            case "LORA":
                PeftLoraFiles.Load(lm, adapterDirectory, "merged");
                LoraMerge.MergeAndUnload(lm, "merged");
                break;
            case Ia3Config.PeftType:
                Ia3Files.Load(lm, adapterDirectory);
                Ia3Injection.Merge(lm);
                break;
            default:
                throw new NotSupportedException($"{adapterDirectory}: a {peftType} adapter cannot be merged into the weights; GGUF export merges LORA (incl. DoRA) and IA3 adapters.");
        }
    }

    /// <summary>The GGUF tensors in checkpoint order, each converting its source tensor only when written.</summary>
    static List<GgufTensor> Plan(CausalLM lm, ModelConfig config, GgufFileType fileType)
    {
        var stateDict = lm.state_dict();
        bool hasOutput = stateDict.ContainsKey("lm_head.weight");
        bool permute = GgufArchitecture.PermutesQueryKey(config);
        var tensors = new List<GgufTensor>();
        if (GgufArchitecture.RopeFrequencyFactors(config) is { } factors)
            tensors.Add(new GgufTensor("rope_freqs.weight", [factors.Length], GgmlType.F32, () => FloatEncoding.F32(factors)));
        foreach (var (key, source) in stateDict)
        {
            string name = GgufTensorNames.FromHuggingFace(key);
            long[] shape = source.shape;
            var type = GgufTensorTypes.Choose(fileType, name, shape, config.NumHiddenLayers, hasOutput);
            int? heads = !permute ? null
                : key.EndsWith("self_attn.q_proj.weight") || key.EndsWith("self_attn.q_proj.bias") ? config.NumAttentionHeads
                : key.EndsWith("self_attn.k_proj.weight") || key.EndsWith("self_attn.k_proj.bias") ? config.NumKeyValueHeads
                : null;
            tensors.Add(new GgufTensor(name, shape, type, () => Encode(source, type, heads)));
        }
        return tensors;
    }

    static byte[] Encode(Tensor source, GgmlType type, int? rotaryHeads)
    {
        float[] values;
        using (NewDisposeScope())
            values = source.detach().to(ScalarType.Float32).contiguous().data<float>().ToArray();   // (out, in) or (n,), row-major
        if (rotaryHeads is int heads)
        {
            int rows = (int)source.shape[0];   // a weight (out, in) or a bias (out,): the rows are the output features
            values = RotaryPermutation.Permute(values, rows, values.Length / rows, heads);
        }
        return GgufTensorTypes.Encode(type, values);
    }
}
