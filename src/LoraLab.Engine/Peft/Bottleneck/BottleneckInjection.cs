using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Lora;
using TorchSharp;

namespace LoraLab.Engine.Peft.Bottleneck;

/// <summary>Wraps the attention and/or MLP output projections a <see cref="BottleneckConfig"/> places adapters on, by module name.</summary>
public static class BottleneckInjection
{
    /// <summary>The wrapped projections' paths and hidden sizes, in model order, without touching the model.</summary>
    public static IReadOnlyList<(string Path, long HiddenSize)> Plan(CausalLM lm, BottleneckConfig config)
    {
        config.Validate();
        if (Layers(lm).Any()) throw new InvalidOperationException("The model already carries bottleneck adapters.");
        var plan = new List<(string, long)>();
        foreach (var (path, _, _, layer) in LoraInjection.LinearLayers(lm))
        {
            if (!config.Targets(path)) continue;
            if (layer is not ILinearWeights linear || layer is LoraLinear)
                throw new PeftConfigException($"{path} already carries a LoRA adapter; a bottleneck adapter wraps a plain projection.");
            plan.Add((path, linear.OutFeatures));
        }
        return plan;
    }

    /// <summary>Adds a fresh (identity) adapter after every placed projection.</summary>
    public static IReadOnlyDictionary<string, BottleneckLinear> Inject(CausalLM lm, BottleneckConfig config)
    {
        var targets = Plan(lm, config).Select(p => p.Path).ToHashSet();
        var added = new Dictionary<string, BottleneckLinear>();
        foreach (var (path, parent, child, layer) in LoraInjection.LinearLayers(lm).ToList())
        {
            if (!targets.Contains(path)) continue;
            var wrapped = new BottleneckLinear(layer, config.BottleneckSize, config.NonLinearity);
            parent.ReplaceChild(child, wrapped);
            added[path] = wrapped;
        }
        return added;
    }

    /// <summary>Every bottleneck-adapted projection of the model with its dotted path, in model order.</summary>
    public static IEnumerable<(string Path, BottleneckLinear Layer)> Layers(CausalLM lm) =>
        lm.named_modules().Where(m => m.module is BottleneckLinear).Select(m => (m.name, (BottleneckLinear)m.module));
}
