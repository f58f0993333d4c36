using LoraLab.Engine.Models;
using TorchSharp;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Dora;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Peft;

/// <summary>
/// One layer's routed adapters for a mixed batch, as Punica (Chen et al. 2023) and S-LoRA (Sheng et al. 2023) serve them
/// beside one shared base matmul. The K adapters' A factors, zero-padded to the largest rank, are stacked into one
/// (K·r_max, in) matrix and their B factors times their scaling s, transposed, into one (K·r_max, out) matrix, so each
/// forward pass is two plain products: every row is projected on all K adapters' A (K·r_max outputs, far fewer than the
/// base's), a fixed (B, K·r_max) mask keeps each row's own block (all zeros for a row without an adapter here), and the
/// second product applies the matching B. A decode step in <see cref="FusedDecodeLayer"/> skips the mask and the second
/// product's zeros: it adds each row's own block of rows of (s·B)ᵀ, scaled by that row's projections. With the few rows
/// of a decode step this costs a handful of small operations instead of gathering and transposing every row's factors
/// again at every step (four more per projection). The price is arithmetic: each row is projected on all K adapters' A,
/// K·r_max/in of its base product (11% for 4 adapters of r 16 on SmolLM2-135M), which grows with the distinct adapters
/// of a batch.
/// DoRA rows also gather their gain m/‖W + s·BA‖.
/// </summary>
internal sealed class AdapterRoutingStack : IDisposable
{
    readonly Tensor rowSlot;    // (B) int64, owned by the AdapterRouting; slot K: no adapter
    readonly Tensor? a, upT;    // (K·r_max, in) and (K·r_max, out) = (s·B)ᵀ; null when none of the routed adapters is on this layer
    readonly Tensor? rowMask;   // (B, K·r_max): 1 on the columns of each row's own adapter
    readonly long rank;         // r_max
    readonly Tensor? gain;      // (K + 1, out): m/‖W + s·BA‖ for DoRA slots, 1 elsewhere; null without DoRA slots

    public AdapterRoutingStack(LoraLinear layer, IReadOnlyList<string> slots, Tensor rowSlot, ScalarType dtype)
    {
        this.rowSlot = rowSlot;
        var routed = slots.Select(name => layer.adapters.TryGetValue(name, out var adapter) ? adapter : null).ToArray();
        if (routed.All(adapter => adapter is null)) return;

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        int K = routed.Length, rMax = routed.Max(adapter => adapter?.Rank ?? 0);
        long inF = layer.Base.InFeatures, outF = layer.Base.OutFeatures;
        var device = routed.First(adapter => adapter is not null)!.lora_A.device;
        var aStack = zeros([K * rMax, inF], ScalarType.Float32, device);     // (K·r_max, in)
        var upStack = zeros([K * rMax, outF], ScalarType.Float32, device);   // (K·r_max, out)
        var gainStack = routed.Any(adapter => adapter?.IsDora == true) ? ones([K + 1, outF], ScalarType.Float32, device) : null;
        for (int k = 0; k < K; k++)
        {
            if (routed[k] is not { } adapter) continue;
            aStack.narrow(0, k * rMax, adapter.Rank).copy_(adapter.lora_A);
            upStack.narrow(0, k * rMax, adapter.Rank).copy_((adapter.lora_B * adapter.Scaling).t());
            if (adapter.IsDora) gainStack![k].copy_(adapter.lora_magnitude_vector! / DoraVariant.WeightNorm(layer.Base, adapter));
        }
        var column = arange(K * rMax, ScalarType.Int64, device).div(rMax, rounding_mode: RoundingMode.floor);   // (K·r_max) slot of each column
        var mask = column.unsqueeze(0).eq(rowSlot.unsqueeze(1));                                                 // (B, K·r_max)
        a = aStack.to(dtype).DetachFromDisposeScope();
        upT = upStack.to(dtype).DetachFromDisposeScope();
        rank = rMax;
        rowMask = mask.to(dtype).DetachFromDisposeScope();
        gain = gainStack?.to(dtype).DetachFromDisposeScope();
    }

    /// <summary>
    /// The stacked factors and row slots for <see cref="FusedDecodeLayer"/>, null when no routed adapter is on this layer;
    /// false for another number of rows or with DoRA slots, whose gain rescales the base output too.
    /// </summary>
    internal bool TryFactors(long rows, out RoutedUpdate? factors)
    {
        factors = a is not null && upT is not null ? new RoutedUpdate(a, upT, rowSlot, rank) : null;
        return rowSlot.shape[0] == rows && gain is null;
    }

    /// <summary>The base output <paramref name="baseResult"/> (B, …, out) of <paramref name="x"/> (B, …, in) plus each row's adapter.</summary>
    public Tensor Forward(Tensor x, Tensor baseResult, Tensor? bias)
    {
        long rows = rowSlot.shape[0];
        if (x.shape[0] != rows)
            throw new InvalidOperationException($"The adapter routing was set for {rows} rows, but this batch has {x.shape[0]}.");
        if (a is null || upT is null || rowMask is null) return baseResult;

        using var scope = NewDisposeScope();
        var input = x.reshape(rows, -1, x.shape[^1]);                                   // (B, T, in)
        var y = baseResult.reshape(rows, -1, baseResult.shape[^1]);                     // (B, T, out)
        var projected = FewRowLinear.Linear(input, a).mul_(rowMask.unsqueeze(1));       // (B, T, K·r_max), each row's own block
        var low = projected.matmul(upT);                                                // (B, T, out)
        if (gain is not null)
        {
            var g = gain.index_select(0, rowSlot).unsqueeze(1);                         // (B, 1, out)
            var withoutBias = bias is null ? y : y - bias;
            y = y + (g - 1) * withoutBias;
            low = g * low;
        }
        return (y + low).view(baseResult.shape).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        a?.Dispose();
        upT?.Dispose();
        rowMask?.Dispose();
        gain?.Dispose();
    }
}
