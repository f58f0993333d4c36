using LoraLab.Engine.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Ia3;

/// <summary>(IA)³ as an <see cref="IPeftMethod"/>: one learned scaling vector per targeted layer, everything else frozen.</summary>
public sealed class Ia3Method(Ia3Config config) : IPeftMethod
{
    IReadOnlyDictionary<string, Ia3Linear>? layers;

    public Ia3Config Config => config;
    public string Kind => "ia3";

    public void Attach(CausalLM lm)
    {
        if (layers is not null) throw new InvalidOperationException("This (IA)³ method is already attached to a model.");
        PeftMethod.FreezeBase(lm);
        layers = Ia3Injection.Inject(lm, config);
    }

    /// <summary>The vectors under their PEFT keys (base_model.model.{module}.ia3_l).</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters()
    {
        if (layers is null) throw new InvalidOperationException("Attach the (IA)³ method to a model first.");
        return layers.Select(kv => (Ia3Files.Key(kv.Key), kv.Value.ia3_l)).ToList();
    }

    public Tensor Forward(CausalLM lm, Tensor inputIds, Tensor? keyIsReal) => lm.Forward(inputIds, keyIsReal: keyIsReal);

    public void Save(CausalLM lm, string directory) => Ia3Files.Save(lm, config, directory);
}
