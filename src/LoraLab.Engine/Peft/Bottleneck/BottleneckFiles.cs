using LoraLab.Engine.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Bottleneck;

/// <summary>
/// Bottleneck adapters in LoRA Lab's own layout (PEFT has none), modelled on PEFT's:
/// <list type="bullet">
/// <item><c>adapter_config.json</c>: <c>peft_type: "LORALAB_BOTTLENECK"</c>, <c>task_type</c>, <c>bottleneck_size</c>,
/// <c>non_linearity</c> (relu | gelu | silu), <c>placement</c> (attention | mlp | both), <c>target_modules</c> (derived from
/// the placement: o_proj and/or down_proj) and <c>base_model_name_or_path</c>.</item>
/// <item><c>adapter_model.safetensors</c>: float32, for every adapted projection (e.g.
/// <c>base_model.model.model.layers.{i}.self_attn.o_proj</c> or <c>….mlp.down_proj</c>) the four tensors
/// <c>{module}.adapter_down.weight</c> (b, D), <c>.adapter_down.bias</c> (b), <c>.adapter_up.weight</c> (D, b) and
/// <c>.adapter_up.bias</c> (D), where D is the hidden size and b the bottleneck size. The adapter computes
/// y + up(act(down(y))) on the projection's output y.</item>
/// </list>
/// </summary>
public static class BottleneckFiles
{
    /// <summary>The adapter's parameters under their saved keys.</summary>
    public static IEnumerable<(string Key, Parameter Tensor)> AdapterTensors(BottleneckLinear layer, string modulePath)
    {
        string p = AdapterFolder.KeyPrefix + modulePath;
        yield return ($"{p}.adapter_down.weight", layer.adapter_down.weight!);
        yield return ($"{p}.adapter_down.bias", layer.adapter_down.bias!);
        yield return ($"{p}.adapter_up.weight", layer.adapter_up.weight!);
        yield return ($"{p}.adapter_up.bias", layer.adapter_up.bias!);
    }

    public static void Save(CausalLM lm, BottleneckConfig config, string adapterDirectory)
    {
        var tensors = BottleneckInjection.Layers(lm)
            .SelectMany(l => AdapterTensors(l.Layer, l.Path))
            .Select(t => KeyValuePair.Create(t.Key, (Tensor)t.Tensor)).ToList();
        if (tensors.Count == 0) throw new ArgumentException("The model carries no bottleneck adapters to save.");
        AdapterFolder.Write(adapterDirectory, config.ToJson(), tensors);
    }

    /// <summary>Adds the saved adapters to <paramref name="lm"/>; keys and shapes are checked before the model is touched.</summary>
    public static BottleneckConfig Load(CausalLM lm, string adapterDirectory)
    {
        var config = AdapterFolder.ReadConfig(adapterDirectory, BottleneckConfig.PeftType, BottleneckConfig.FromJson);
        using var file = AdapterFolder.OpenWeights(adapterDirectory);
        long b = config.BottleneckSize;
        var expected = BottleneckInjection.Plan(lm, config).SelectMany(p =>
        {
            string k = AdapterFolder.KeyPrefix + p.Path;
            return new (string, long[])[]
            {
                ($"{k}.adapter_down.weight", [b, p.HiddenSize]), ($"{k}.adapter_down.bias", [b]),
                ($"{k}.adapter_up.weight", [p.HiddenSize, b]), ($"{k}.adapter_up.bias", [p.HiddenSize]),
            };
        }).ToList();
        AdapterFolder.Verify(file, expected);
        var layers = BottleneckInjection.Inject(lm, config);
        AdapterFolder.CopyInto(file, layers.SelectMany(kv => AdapterTensors(kv.Value, kv.Key)).Select(t => (t.Key, (Tensor)t.Tensor)));
        return config;
    }
}
