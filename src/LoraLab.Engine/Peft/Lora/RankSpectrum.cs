using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Lora;

/// <summary>
/// The singular values of one module's update ΔW = s·B·A, largest first: the picture of how much of the rank r the
/// update uses. For DoRA this is the low-rank directional update, before the magnitude rescales the rows.
/// </summary>
/// <param name="Module">The module's dotted path (model.layers.0.self_attn.q_proj).</param>
/// <param name="Layer">The decoder layer index, or null for a module outside the layers (lm_head).</param>
/// <param name="Name">The module's own name (q_proj).</param>
/// <param name="Rank">The adapter's r at this module; at most that many singular values are non-zero.</param>
public sealed record ModuleSpectrum(string Module, int? Layer, string Name, int Rank, double Scaling, IReadOnlyList<double> SingularValues)
{
    /// <summary>The fraction of Σσ² held by the first k singular values, for k = 1 … n.</summary>
    public IReadOnlyList<double> CumulativeEnergy { get; } = RankSpectrum.CumulativeEnergy(SingularValues);

    /// <summary>How many singular values hold 90 % of the update's energy.</summary>
    public int EffectiveRank90 { get; } = RankSpectrum.EffectiveRank(SingularValues, 0.90);

    /// <summary>How many singular values hold 99 % of the update's energy.</summary>
    public int EffectiveRank99 { get; } = RankSpectrum.EffectiveRank(SingularValues, 0.99);
}

/// <summary>The spectra of every module a LoRA/DoRA adapter adapts, by layer then module (attention before MLP).</summary>
public sealed record AdapterSpectrum(int R, bool UseDora, IReadOnlyList<ModuleSpectrum> Modules);

/// <summary>
/// Singular values of LoRA updates without forming ΔW = s·B·A (out × in) or its full SVD: with the thin QR
/// decompositions B = Q_B·R_B and Aᵀ = Q_A·R_A, ΔW = Q_B·(s·R_B·R_Aᵀ)·Q_Aᵀ, and since Q_B and Q_A have orthonormal
/// columns ΔW has the singular values of the small r × r matrix s·R_B·R_Aᵀ. Computed in float64.
/// </summary>
public static partial class RankSpectrum
{
    /// <summary>The usual order of a decoder layer's projections; other module names follow alphabetically.</summary>
    static readonly string[] ModuleOrder = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    const string SuffixA = ".lora_A.weight", SuffixB = ".lora_B.weight";

    /// <summary>The spectra of the LoRA/DoRA adapter in <paramref name="adapterDirectory"/>; no base model is needed.</summary>
    public static AdapterSpectrum Read(string adapterDirectory)
    {
        var config = LoraConfig.Load(adapterDirectory);
        using var file = AdapterFolder.OpenWeights(adapterDirectory);
        var modules = new List<ModuleSpectrum>();
        foreach (string keyA in file.Tensors.Keys.Where(k => k.StartsWith(AdapterFolder.KeyPrefix, StringComparison.Ordinal) && k.EndsWith(SuffixA, StringComparison.Ordinal)))
        {
            string path = keyA[AdapterFolder.KeyPrefix.Length..^SuffixA.Length];
            string keyB = AdapterFolder.KeyPrefix + path + SuffixB;
            if (!file.Tensors.ContainsKey(keyB)) throw new PeftConfigException($"{file.Path}: {keyA} has no matching {keyB}.");
            using var scope = NewDisposeScope();
            var a = file.Load(keyA, CPU, ScalarType.Float64);   // (r, in)
            var b = file.Load(keyB, CPU, ScalarType.Float64);   // (out, r)
            if (a.dim() != 2 || b.dim() != 2 || a.shape[0] != b.shape[1])
                throw new PeftConfigException($"{file.Path}: {keyA} has shape [{string.Join(", ", a.shape)}] and {keyB} [{string.Join(", ", b.shape)}]; A must be (r, in) and B (out, r) with the same r.");
            var (layer, name) = Locate(path);
            double scaling = config.ScalingFor(path);
            modules.Add(new ModuleSpectrum(path, layer, name, (int)a.shape[0], scaling, SingularValues(a, b, scaling)));
        }
        if (modules.Count == 0) throw new PeftConfigException($"{file.Path} holds no LoRA factors ({AdapterFolder.KeyPrefix}….lora_A.weight).");
        var ordered = modules.OrderBy(m => m.Layer ?? int.MaxValue).ThenBy(m => OrderOf(m.Name)).ThenBy(m => m.Module, StringComparer.Ordinal).ToList();
        return new AdapterSpectrum(config.R, config.UseDora, ordered);
    }

    /// <summary>The min(out, in, r) singular values of s·B·A for A (r, in) and B (out, r), largest first.</summary>
    public static double[] SingularValues(Tensor loraA, Tensor loraB, double scaling)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var rB = linalg.qr(loraB.to(ScalarType.Float64)).R;             // (min(out, r), r)
        var rA = linalg.qr(loraA.to(ScalarType.Float64).t()).R;         // (min(in, r), r)
        var core = rB.matmul(rA.t()) * scaling;                          // (min(out, r), min(in, r))
        return linalg.svdvals(core).cpu().data<double>().ToArray();
    }

    /// <summary>Cumulative σ²/Σσ² for the singular values as given (largest first); all zeros when they are.</summary>
    public static double[] CumulativeEnergy(IReadOnlyList<double> singularValues)
    {
        double total = singularValues.Sum(s => s * s);
        var cumulative = new double[singularValues.Count];
        double sum = 0;
        for (int i = 0; i < cumulative.Length; i++)
        {
            sum += singularValues[i] * singularValues[i];
            cumulative[i] = total > 0 ? sum / total : 0;
        }
        return cumulative;
    }

    /// <summary>
    /// The fewest leading singular values whose energy reaches <paramref name="energy"/> of the total (within rounding);
    /// 0 for an update that is exactly zero, such as a LoRA adapter before training.
    /// </summary>
    public static int EffectiveRank(IReadOnlyList<double> singularValues, double energy)
    {
        if (energy is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(energy), energy, "The energy fraction must be in (0, 1].");
        var cumulative = CumulativeEnergy(singularValues);
        if (cumulative.Length == 0 || cumulative[^1] == 0) return 0;
        // Summing squares rounds: 9/(9+1) may come out a hair under 0.9.
        int k = Array.FindIndex(cumulative, c => c >= energy - 1e-12);
        return k + 1;
    }

    static (int? Layer, string Name) Locate(string path)
    {
        var match = LayerPath().Match(path);
        return (match.Success ? int.Parse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture) : null, path[(path.LastIndexOf('.') + 1)..]);
    }

    static int OrderOf(string name)
    {
        int index = Array.IndexOf(ModuleOrder, name);
        return index >= 0 ? index : ModuleOrder.Length;
    }

    [GeneratedRegex(@"(?:^|\.)layers\.(\d+)\.")]
    private static partial Regex LayerPath();
}
