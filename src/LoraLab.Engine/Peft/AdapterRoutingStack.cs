using static TorchSharp.torch;
using LoraLab.Engine.Peft.Dora;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Peft;

/// <summary>
/// One layer's routed adapters stacked for a mixed batch, as Punica (Chen et al. 2023) and S-LoRA (Sheng et al. 2023) do:
/// the A factors zero-padded to the largest rank (K + 1, r_max, in), the B factors times their scaling s (K + 1, out, r_max),
/// and slot K all zeros for rows without an adapter here. Each forward pass gathers every row's factors by its slot and
/// applies them with two batched matmuls beside the shared base matmul. DoRA rows also gather their gain m/‖W + s·BA‖.
/// </summary>
internal sealed class AdapterRoutingStack : IDisposable
{
    readonly Tensor rowSlot;   // (B) int64, owned by the AdapterRouting
    readonly Tensor? a, b;     // null when none of the routed adapters is on this layer
    readonly Tensor? gain;     // (K + 1, out): m/‖W + s·BA‖ for DoRA slots, 1 elsewhere; null without DoRA slots

    public AdapterRoutingStack(LoraLinear layer, IReadOnlyList<string> slots, Tensor rowSlot, ScalarType dtype)
    {
        this.rowSlot = rowSlot;
        var routed = slots.Select(name => layer.adapters.TryGetValue(name, out var adapter) ? adapter : null).ToArray();
        if (routed.All(adapter => adapter is null)) return;

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        int rMax = routed.Max(adapter => adapter?.Rank ?? 0);
        long inF = layer.Base.InFeatures, outF = layer.Base.OutFeatures;
        var device = routed.First(adapter => adapter is not null)!.lora_A.device;
        var aStack = zeros([slots.Count + 1, rMax, inF], ScalarType.Float32, device);     // (K + 1, r_max, in)
        var bStack = zeros([slots.Count + 1, outF, rMax], ScalarType.Float32, device);    // (K + 1, out, r_max)
        var gainStack = routed.Any(adapter => adapter?.IsDora == true) ? ones([slots.Count + 1, outF], ScalarType.Float32, device) : null;
        for (int k = 0; k < routed.Length; k++)
        {
            if (routed[k] is not { } adapter) continue;
            aStack[k].narrow(0, 0, adapter.Rank).copy_(adapter.lora_A);
            bStack[k].narrow(1, 0, adapter.Rank).copy_(adapter.lora_B * adapter.Scaling);
            if (adapter.IsDora) gainStack![k].copy_(adapter.lora_magnitude_vector! / DoraVariant.WeightNorm(layer.Base, adapter));
        }
        a = aStack.to(dtype).DetachFromDisposeScope();
        b = bStack.to(dtype).DetachFromDisposeScope();
        gain = gainStack?.to(dtype).DetachFromDisposeScope();
    }

    /// <summary>The base output <paramref name="baseResult"/> (B, …, out) of <paramref name="x"/> (B, …, in) plus each row's adapter.</summary>
    public Tensor Forward(Tensor x, Tensor baseResult, Tensor? bias)
    {
        long rows = rowSlot.shape[0];
        if (x.shape[0] != rows)
            throw new InvalidOperationException($"The adapter routing was set for {rows} rows, but this batch has {x.shape[0]}.");
        if (a is null || b is null) return baseResult;

        using var scope = NewDisposeScope();
        var input = x.reshape(rows, -1, x.shape[^1]);                                   // (B, T, in)
        var y = baseResult.reshape(rows, -1, baseResult.shape[^1]);                     // (B, T, out)
        var low = input.bmm(a.index_select(0, rowSlot).transpose(1, 2))                 // (B, T, r_max)
            .bmm(b.index_select(0, rowSlot).transpose(1, 2));                           // (B, T, out)
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
        b?.Dispose();
        gain?.Dispose();
    }
}
