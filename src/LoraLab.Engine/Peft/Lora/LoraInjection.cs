using LoraLab.Engine.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Lora;

/// <summary>Finds the linear layers a <see cref="LoraConfig"/> targets and wraps them in <see cref="LoraLinear"/>, by module name.</summary>
public static class LoraInjection
{
    /// <summary>Every linear layer of the model (dense, quantized or LoRA-wrapped) with its dotted path (model.layers.0.self_attn.q_proj).</summary>
    public static IEnumerable<(string Path, SwappableModule Parent, string Child, nn.Module<Tensor, Tensor> Layer)> LinearLayers(CausalLM lm)
    {
        foreach (var (name, module) in lm.named_modules().Prepend(("", lm)))
        {
            if (module is not SwappableModule parent) continue;
            foreach (var (child, sub) in parent.named_children())
                if (sub is nn.Module<Tensor, Tensor> layer && sub is ILinearWeights or LoraLinear)
                    yield return (name.Length == 0 ? child : $"{name}.{child}", parent, child, layer);
        }
    }

    /// <summary>Every LoRA layer of the model by its dotted path, in model order.</summary>
    public static IReadOnlyDictionary<string, LoraLinear> LoraLayers(CausalLM lm) =>
        LinearLayers(lm).Where(l => l.Layer is LoraLinear).ToDictionary(l => l.Path, l => (LoraLinear)l.Layer);

    /// <summary>The paths of the linear layers <paramref name="config"/> targets, in model order.</summary>
    public static IReadOnlyList<string> TargetPaths(CausalLM lm, LoraConfig config)
    {
        var paths = LinearLayers(lm).Select(l => l.Path).Where(config.Targets).ToList();
        if (paths.Count == 0)
        {
            var names = LinearLayers(lm).Select(l => l.Path.Split('.')[^1]).Distinct();
            throw new PeftConfigException($"target_modules {Describe(config)} matches no linear layer of this model; its linear layers are: {string.Join(", ", names)}.");
        }
        return paths;
    }

    /// <summary>Adds adapter <paramref name="name"/> (zero-initialised: B = 0, magnitude = 1) to every targeted layer and makes it active.</summary>
    public static IReadOnlyDictionary<string, LoraAdapter> Inject(CausalLM lm, LoraConfig config, string name)
    {
        config.Validate();
        var targets = TargetPaths(lm, config).ToHashSet();
        var added = new Dictionary<string, LoraAdapter>();
        foreach (var (path, parent, child, layer) in LinearLayers(lm).ToList())
        {
            if (!targets.Contains(path)) continue;
            var lora = layer as LoraLinear ?? new LoraLinear(layer);
            if (lora.adapters.ContainsKey(name)) throw new ArgumentException($"{path} already has an adapter named '{name}'.");
            if (lora.ResidualOf is { } pissa)
                throw new InvalidOperationException($"{path} holds the PiSSA residual of adapter '{pissa}' instead of the original weight, so no other adapter can be added beside it; convert the PiSSA adapter to a plain LoRA (PissaConversion) to share the base.");
            if (!ReferenceEquals(lora, layer)) parent.ReplaceChild(child, lora);
            added[path] = lora.Add(name, config.RankFor(path), config.ScalingFor(path), config.LoraDropout, config.UseDora);
            lora.ActiveAdapter = name;
        }
        return added;
    }

    /// <summary>Selects which adapter every LoRA layer applies (null: the base model alone).</summary>
    public static void SetActive(CausalLM lm, string? name)
    {
        var layers = lm.modules().OfType<LoraLinear>().ToList();
        if (layers.FirstOrDefault(l => l.MergedAdapter is not null && l.MergedAdapter != name) is { } merged)
            throw new InvalidOperationException($"Adapter '{merged.MergedAdapter}' is merged into the base weights; unmerge it (LoraMerge.Unmerge) before selecting {(name is null ? "the base model" : $"'{name}'")}.");
        foreach (var lora in layers)
            lora.ActiveAdapter = name is not null && lora.adapters.ContainsKey(name) ? name : null;
    }

    static string Describe(LoraConfig c) => c.TargetModulesRegex is { } r ? $"'{r}'" : $"[{string.Join(", ", c.TargetModules)}]";
}
