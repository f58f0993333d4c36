using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Ia3;

/// <summary>
/// (IA)³ adapters in PEFT's layout: <c>adapter_config.json</c> (<c>peft_type: IA3</c>) and <c>adapter_model.safetensors</c>
/// with one float32 vector per layer under <c>base_model.model.{module}.ia3_l</c> (PEFT drops the adapter name on save),
/// shaped (out, 1) for keys and values and (1, in) for feed-forward layers.
/// </summary>
public static class Ia3Files
{
    public static string Key(string modulePath) => $"{AdapterFolder.KeyPrefix}{modulePath}.ia3_l";

    public static void Save(CausalLM lm, Ia3Config config, string adapterDirectory)
    {
        var tensors = Ia3Injection.Layers(lm).Select(l => KeyValuePair.Create(Key(l.Path), (Tensor)l.Layer.ia3_l)).ToList();
        if (tensors.Count == 0) throw new ArgumentException("The model carries no (IA)³ vectors to save.");
        AdapterFolder.Write(adapterDirectory, config.ToJson(), tensors);
    }

    /// <summary>Wraps the layers the saved config targets and loads their vectors; keys and shapes are checked first.</summary>
    public static Ia3Config Load(CausalLM lm, string adapterDirectory)
    {
        var config = AdapterFolder.ReadConfig(adapterDirectory, Ia3Config.PeftType, Ia3Config.FromJson);
        using var file = AdapterFolder.OpenWeights(adapterDirectory);
        AdapterFolder.Verify(file, Ia3Injection.Plan(lm, config).Select(p => (Key(p.Path), p.Shape)).ToList());
        var layers = Ia3Injection.Inject(lm, config);
        AdapterFolder.CopyInto(file, layers.Select(kv => (Key(kv.Key), (Tensor)kv.Value.ia3_l)));
        return config;
    }
}
