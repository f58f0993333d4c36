using System.Text.Json;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Devices;

namespace LoraLab.Engine.Models;

/// <summary>Loads and saves a model folder in Hugging Face layout (config.json + safetensors).</summary>
public static class PretrainedModel
{
    /// <summary>Reads config.json and the weights, converted to the device's compute dtype; weight loading is strict.</summary>
    public static CausalLM Load(string directory, ComputeDevice device)
    {
        var config = ModelConfig.Load(directory);
        using var reader = CheckpointReader.Open(directory);
        var lm = new CausalLM(config, device.Device, device.ComputeDType);
        try
        {
            WeightLoading.LoadStrict(lm, reader, directory, key => IsIgnorable(key, config));
        }
        catch
        {
            lm.Dispose();
            throw;
        }
        return lm;
    }

    /// <summary>Rotary buffers that older checkpoints saved, and lm_head.weight when it is tied to the embeddings (transformers ignores it too).</summary>
    static bool IsIgnorable(string key, ModelConfig config) =>
        key.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal) || (config.TieWordEmbeddings && key == "lm_head.weight");

    /// <summary>Writes config.json and the weights (sharded beyond <paramref name="maxShardBytes"/>) that transformers loads.</summary>
    public static void Save(CausalLM lm, string directory, long maxShardBytes = 2L << 30)
    {
        Directory.CreateDirectory(directory);
        var config = lm.Config with { TorchDType = DTypeName(lm.DType) };
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        SafetensorsWriter.WriteSharded(directory, lm.state_dict(), maxShardBytes);
    }

    public static string DTypeName(TorchSharp.torch.ScalarType dtype) => dtype switch
    {
        TorchSharp.torch.ScalarType.BFloat16 => "bfloat16",
        TorchSharp.torch.ScalarType.Float16 => "float16",
        _ => "float32",
    };
}
