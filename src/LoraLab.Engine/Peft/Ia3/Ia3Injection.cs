using LoraLab.Engine.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Peft.Ia3;

/// <summary>Finds the linear layers an <see cref="Ia3Config"/> targets and wraps them in <see cref="Ia3Linear"/>, by module name.</summary>
public static class Ia3Injection
{
    /// <summary>The targeted layers in model order, whether each is feed-forward, and the shape of its vector.</summary>
    public static IReadOnlyList<(string Path, bool IsFeedforward, long[] Shape)> Plan(CausalLM lm, Ia3Config config)
    {
        config.Validate();
        if (Layers(lm).Any()) throw new InvalidOperationException("The model already carries (IA)³ vectors.");
        var plan = new List<(string, bool, long[])>();
        foreach (var (path, _, _, layer) in LoraInjection.LinearLayers(lm))
        {
            if (!config.Targets(path)) continue;
            if (layer is not ILinearWeights linear || layer is LoraLinear)
                throw new PeftConfigException($"{path} already carries a LoRA adapter; (IA)³ wraps plain linear layers.");
            bool feedforward = config.IsFeedforward(path);
            plan.Add((path, feedforward, feedforward ? [1, linear.InFeatures] : [linear.OutFeatures, 1]));
        }
        if (plan.Count == 0)
        {
            var names = LoraInjection.LinearLayers(lm).Select(l => l.Path.Split('.')[^1]).Distinct();
            throw new PeftConfigException($"target_modules {Describe(config)} matches no linear layer of this model; its linear layers are: {string.Join(", ", names)}.");
        }
        return plan;
    }

    /// <summary>Wraps every targeted layer; the vectors start at ones, so the model computes what it did before.</summary>
    public static IReadOnlyDictionary<string, Ia3Linear> Inject(CausalLM lm, Ia3Config config)
    {
        var plan = Plan(lm, config).ToDictionary(p => p.Path, p => p.IsFeedforward);
        var added = new Dictionary<string, Ia3Linear>();
        foreach (var (path, parent, child, layer) in LoraInjection.LinearLayers(lm).ToList())
        {
            if (!plan.TryGetValue(path, out bool feedforward)) continue;
            var wrapped = new Ia3Linear(layer, feedforward);
            parent.ReplaceChild(child, wrapped);
            added[path] = wrapped;
        }
        return added;
    }

    /// <summary>Every (IA)³ layer of the model with its dotted path, in model order.</summary>
    public static IEnumerable<(string Path, Ia3Linear Layer)> Layers(CausalLM lm) =>
        lm.named_modules().Where(m => m.module is Ia3Linear).Select(m => (m.name, (Ia3Linear)m.module));

    /// <summary>Folds every vector into its base weight and puts the plain layers back: same outputs, no adapter cost.</summary>
    public static void Merge(CausalLM lm)
    {
        var modules = lm.named_modules().ToDictionary(m => m.name, m => m.module);
        foreach (var (path, layer) in Layers(lm).ToList())
        {
            int dot = path.LastIndexOf('.');
            var parent = (SwappableModule)(dot < 0 ? lm : modules[path[..dot]]);
            parent.ReplaceChild(path[(dot + 1)..], layer.MergeIntoBase());
        }
    }

    static string Describe(Ia3Config c) => c.TargetModulesRegex is { } r ? $"'{r}'" : $"[{string.Join(", ", c.TargetModules)}]";
}
