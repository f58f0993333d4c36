using System.Text.RegularExpressions;
using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Lora;

/// <summary>
/// A new adapter made from weighted existing ones, as PEFT's <c>LoraModel.add_weighted_adapter</c>:
/// <list type="bullet">
/// <item>"cat": A = [w₁s₁A₁; w₂s₂A₂; …], B = [B₁, B₂, …], so ΔW = Σ wᵢ sᵢ BᵢAᵢ exactly, with the ranks added up;</item>
/// <item>"linear": A = Σ √(wᵢsᵢ) Aᵢ and B = Σ √(wᵢsᵢ) Bᵢ, which needs equal ranks; ΔW then also holds the cross terms
/// √(wᵢsᵢwⱼsⱼ) BᵢAⱼ, an approximation of the weighted sum that PEFT accepts as such.</item>
/// </list>
/// The result has scaling 1 (lora_alpha = r, as PEFT sets it). A layer that lacks some of the sources takes the others;
/// layers whose combined rank is below the adapter's r are padded with zeros, as PEFT does. DoRA adapters are refused:
/// their normalised updates do not add up.
/// </summary>
public static class WeightedAdapterCombination
{
    public static readonly IReadOnlyList<string> CombinationTypes = ["linear", "cat"];

    /// <summary>Adds adapter <paramref name="newName"/> to <paramref name="lm"/>, activates it and returns its config (to save it with <see cref="PeftLoraFiles.Save"/>).</summary>
    public static LoraConfig Add(CausalLM lm, IReadOnlyList<(string Adapter, double Weight)> sources, string newName, string combinationType)
    {
        if (sources.Count == 0) throw new ArgumentException("Name at least one adapter to combine.", nameof(sources));
        if (!CombinationTypes.Contains(combinationType))
            throw new ArgumentException($"combination_type must be {string.Join(" or ", CombinationTypes)}, got '{combinationType}'.", nameof(combinationType));
        var layers = LoraInjection.LoraLayers(lm);
        var known = layers.Values.SelectMany(l => l.adapters.keys()).ToHashSet();
        if (known.Contains(newName)) throw new ArgumentException($"The model already has an adapter named '{newName}'.", nameof(newName));
        foreach (var (name, weight) in sources)
        {
            if (!known.Contains(name)) throw new ArgumentException($"The model has no adapter named '{name}'.", nameof(sources));
            if (!double.IsFinite(weight)) throw new ArgumentException($"The weight of adapter '{name}' must be a finite number, got {weight}.", nameof(sources));
        }

        var factors = new Dictionary<string, (Tensor A, Tensor B)>();
        try
        {
            foreach (var (path, layer) in layers)
            {
                var present = sources.Where(s => layer.adapters.ContainsKey(s.Adapter)).Select(s => (Adapter: layer.Adapter(s.Adapter), s.Weight, Name: s.Adapter)).ToList();
                if (present.Count == 0) continue;
                if (present.FirstOrDefault(p => p.Adapter.IsDora) is { Adapter: not null } dora)
                    throw new ArgumentException($"Adapter '{dora.Name}' is a DoRA adapter; DoRA's normalised updates cannot be combined as weighted sums.", nameof(sources));
                // A single source is combined linearly whatever was asked, as PEFT does.
                factors[path] = combinationType == "cat" && sources.Count > 1 ? Concatenate(present) : Linear(present, path);
            }

            int rank = factors.Values.Max(f => (int)f.A.shape[0]);
            var first = layers.Values.First(l => l.adapters.ContainsKey(sources[0].Adapter)).Adapter(sources[0].Adapter);
            var moduleNames = TargetModulesFor(lm, factors.Keys.ToHashSet());
            var config = new LoraConfig
            {
                R = rank,
                LoraAlpha = rank,
                LoraDropout = first.Dropout,
                TargetModules = moduleNames ?? [],
                TargetModulesRegex = moduleNames is null ? string.Join("|", factors.Keys.Select(Regex.Escape)) : null,
            };
            LoraInjection.Inject(lm, config, newName);
            using (no_grad())
                foreach (var (path, (a, b)) in factors)
                {
                    var adapter = layers[path].Adapter(newName);
                    adapter.lora_A.narrow(0, 0, a.shape[0]).copy_(a);
                    adapter.lora_B.narrow(1, 0, b.shape[1]).copy_(b);
                }
            LoraInjection.SetActive(lm, newName);
            return config;
        }
        finally
        {
            foreach (var (a, b) in factors.Values)
            {
                a.Dispose();
                b.Dispose();
            }
        }
    }

    static (Tensor A, Tensor B) Concatenate(List<(LoraAdapter Adapter, double Weight, string Name)> present)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var a = cat(present.Select(p => p.Adapter.lora_A * (p.Weight * p.Adapter.Scaling)).ToArray(), 0);   // (Σr, in)
        var b = cat(present.Select(p => p.Adapter.lora_B.detach()).ToArray(), 1);                          // (out, Σr)
        return (a.MoveToOuterDisposeScope(), b.MoveToOuterDisposeScope());
    }

    static (Tensor A, Tensor B) Linear(List<(LoraAdapter Adapter, double Weight, string Name)> present, string path)
    {
        if (present.Select(p => p.Adapter.Rank).Distinct().Count() > 1)
            throw new ArgumentException($"combination_type linear needs adapters of equal rank, but at {path} they have {string.Join(", ", present.Select(p => $"'{p.Name}' r = {p.Adapter.Rank}"))}; use cat.");
        if (present.FirstOrDefault(p => p.Weight * p.Adapter.Scaling < 0) is { Adapter: not null } negative)
            throw new ArgumentException($"combination_type linear takes √(weight · scaling), so the weight of '{negative.Name}' must not be negative (got {negative.Weight}); use cat.");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var a = present.Select(p => p.Adapter.lora_A * Math.Sqrt(p.Weight * p.Adapter.Scaling)).Aggregate((x, y) => x + y);   // (r, in)
        var b = present.Select(p => p.Adapter.lora_B * Math.Sqrt(p.Weight * p.Adapter.Scaling)).Aggregate((x, y) => x + y);   // (out, r)
        return (a.MoveToOuterDisposeScope(), b.MoveToOuterDisposeScope());
    }

    /// <summary>The module names (q_proj, v_proj…) that target exactly <paramref name="paths"/>, or null when no name list does.</summary>
    static IReadOnlyList<string>? TargetModulesFor(CausalLM lm, IReadOnlySet<string> paths)
    {
        var names = paths.Select(p => p[(p.LastIndexOf('.') + 1)..]).Distinct().Order(StringComparer.Ordinal).ToArray();
        var config = new LoraConfig { TargetModules = names };
        return LoraInjection.LinearLayers(lm).Select(l => l.Path).Where(config.Targets).ToHashSet().SetEquals(paths) ? names : null;
    }
}
