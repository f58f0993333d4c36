using LoraLab.Engine.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Bottleneck;

/// <summary>Bottleneck adapters (Houlsby et al. 2019) as an <see cref="IPeftMethod"/>: small MLPs after the chosen projections, everything else frozen.</summary>
public sealed class BottleneckMethod(BottleneckConfig config, long seed = 0) : IPeftMethod
{
    IReadOnlyDictionary<string, BottleneckLinear>? layers;

    public BottleneckConfig Config => config;
    public string Kind => "adapter";

    public void Attach(CausalLM lm)
    {
        if (layers is not null) throw new InvalidOperationException("This bottleneck method is already attached to a model.");
        PeftMethod.FreezeBase(lm);
        layers = BottleneckInjection.Inject(lm, config);
        var generator = new Generator((ulong)seed, lm.Device);
        foreach (var layer in layers.Values) layer.Initialize(generator);
    }

    /// <summary>The adapters' weights and biases under their saved keys (….o_proj.adapter_down.weight).</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters()
    {
        if (layers is null) throw new InvalidOperationException("Attach the bottleneck method to a model first.");
        return layers.SelectMany(kv => BottleneckFiles.AdapterTensors(kv.Value, kv.Key)).ToList();
    }

    public Tensor Forward(CausalLM lm, Tensor inputIds, Tensor? keyIsReal) => lm.Forward(inputIds, keyIsReal: keyIsReal);

    public void Save(CausalLM lm, string directory) => BottleneckFiles.Save(lm, config, directory);
}
