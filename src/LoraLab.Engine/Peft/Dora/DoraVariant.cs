using LoraLab.Engine.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Peft.Dora;

/// <summary>
/// DoRA (Liu et al. 2024, "Weight-Decomposed Low-Rank Adaptation"): W' = m · (W + s·BA) / ‖W + s·BA‖ with the norm
/// taken per output row, as PEFT stores it. The norm is detached from the graph (paper §4.3), which the authors show
/// changes the gradient negligibly and saves the memory of back-propagating through it.
/// </summary>
public static class DoraVariant
{
    /// <summary>‖W + s·BA‖ per output row (out), the magnitude a fresh DoRA adapter starts from; outside the graph (§4.3).</summary>
    public static Tensor WeightNorm(ILinearWeights baseLayer, LoraAdapter adapter)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w = baseLayer.DenseWeight().to(ScalarType.Float32);
        var norm = (w + adapter.DeltaWeight(ScalarType.Float32)).norm(1, keepdim: false);   // (out)
        return norm.MoveToOuterDisposeScope();
    }

    /// <summary>W' = m·V/‖V‖ with V = W + s·BA, and ‖V‖ (out), which <see cref="Unmerge"/> needs to invert it. All float32.</summary>
    public static (Tensor Merged, Tensor Norm) Merge(Tensor weight, LoraAdapter adapter)
    {
        using var scope = NewDisposeScope();
        var v = weight + adapter.DeltaWeight(ScalarType.Float32);                         // (out, in)
        var norm = v.norm(1, keepdim: false);                                             // (out)
        var merged = (adapter.lora_magnitude_vector! / norm).unsqueeze(1) * v;            // (out, in)
        return (merged.MoveToOuterDisposeScope(), norm.MoveToOuterDisposeScope());
    }

    /// <summary>W = V − s·BA with V = W'·‖V‖/m: the merge inverted from the norm it saved.</summary>
    public static Tensor Unmerge(Tensor merged, LoraAdapter adapter, Tensor norm)
    {
        using var scope = NewDisposeScope();
        var v = (norm / adapter.lora_magnitude_vector!).unsqueeze(1) * merged;            // (out, in)
        return (v - adapter.DeltaWeight(ScalarType.Float32)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The DoRA output from the base output y = xWᵀ + b, without recomputing xWᵀ: (m/‖W'‖)·(xWᵀ + s·xAᵀBᵀ) + b, which
    /// is PEFT's y + (m/‖W'‖ − 1)·xWᵀ + (m/‖W'‖)·s·xAᵀBᵀ in two passes over the output instead of five.
    /// </summary>
    public static Tensor Forward(Tensor x, Tensor baseResult, ILinearWeights baseLayer, LoraAdapter adapter)
    {
        using var scope = NewDisposeScope();
        var scale = (adapter.lora_magnitude_vector! / WeightNorm(baseLayer, adapter)).to(x.dtype);   // (out)
        var withoutBias = baseLayer.Bias is { } b ? baseResult - b : baseResult;                      // (…, out)
        var result = adapter.AddLowRankOutput(withoutBias, x) * scale;                                // (…, out)
        if (baseLayer.Bias is { } bias) result = result.add_(bias);
        return result.MoveToOuterDisposeScope();
    }
}
