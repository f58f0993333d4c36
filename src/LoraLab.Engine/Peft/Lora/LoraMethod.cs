using LoraLab.Engine.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Dora;

namespace LoraLab.Engine.Peft.Lora;

/// <summary>
/// LoRA and DoRA as an <see cref="IPeftMethod"/>: adapters on the targeted linear layers, everything else frozen.
/// With PiSSA initialisation the base weights become residuals; save the adapter right after <see cref="Attach"/> as
/// well as after training to be able to convert it to a plain LoRA of the original model (<see cref="PissaConversion"/>).
/// </summary>
public sealed class LoraMethod(LoraConfig config, long seed = 0, string adapterName = "default") : IPeftMethod
{
    IReadOnlyDictionary<string, LoraAdapter>? adapters;

    public LoraConfig Config => config;
    public string Kind => config.UseDora ? "dora" : "lora";

    public void Attach(CausalLM lm)
    {
        if (adapters is not null) throw new InvalidOperationException("This LoRA method is already attached to a model.");
        PeftMethod.FreezeBase(lm);
        adapters = LoraInjection.Inject(lm, config, adapterName);
        var generator = new Generator((ulong)seed, lm.Device);
        var layers = LoraInjection.LoraLayers(lm);
        foreach (var (path, adapter) in adapters)
        {
            LoraInitialization.Initialize(layers[path], adapterName, config.InitLoraWeights, generator);
            if (adapter.lora_magnitude_vector is { } m)
                using (no_grad())
                using (var norm = DoraVariant.WeightNorm(layers[path].Base, adapter))
                    m.copy_(norm);
        }
    }

    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters()
    {
        if (adapters is null) throw new InvalidOperationException("Attach the LoRA method to a model first.");
        return adapters.SelectMany(kv => PeftLoraFiles.AdapterTensors(kv.Value, kv.Key)).Select(t => (t.Key, (Parameter)t.Tensor)).ToList();
    }

    public Tensor Forward(CausalLM lm, Tensor inputIds, Tensor? keyIsReal) => lm.Forward(inputIds, keyIsReal: keyIsReal);

    public void Save(CausalLM lm, string directory) => PeftLoraFiles.Save(lm, adapterName, config, directory);
}
