using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft;

/// <summary>
/// Several adapters on one frozen base in one batch: row i of the following forward passes uses adapter
/// <see cref="RowAdapters"/>[i], or the base alone where that is null, and every row shares the base matmul. The routing
/// holds until disposed, so it stays fixed over a KV-cache generation, whose forward passes all have the same rows; while
/// it holds it overrides <see cref="LoraInjection.SetActive"/>. LoRA and DoRA rows mix: a DoRA row scales its own base
/// output by its m/‖W + s·BA‖. It is meant for inference: the adapters' factors are copied when the routing is set (later
/// changes are not seen), without dropout and without gradients.
/// </summary>
public sealed class AdapterRouting : IDisposable
{
    readonly IReadOnlyList<LoraLinear> layers;
    readonly Tensor rowSlot;

    AdapterRouting(IReadOnlyList<string?> rowAdapters, IReadOnlyList<LoraLinear> layers, Tensor rowSlot)
    {
        RowAdapters = rowAdapters;
        this.layers = layers;
        this.rowSlot = rowSlot;
    }

    public IReadOnlyList<string?> RowAdapters { get; }

    /// <summary>Routes row i of every following forward pass of <paramref name="lm"/> to adapter <paramref name="rowAdapters"/>[i] (null: none).</summary>
    public static AdapterRouting PerRow(CausalLM lm, IReadOnlyList<string?> rowAdapters)
    {
        if (rowAdapters.Count == 0) throw new ArgumentException("An adapter routing needs at least one row.");
        var layers = LoraInjection.LoraLayers(lm).Values.ToList();
        var known = layers.SelectMany(l => l.adapters.keys()).ToHashSet();
        for (int row = 0; row < rowAdapters.Count; row++)
            if (rowAdapters[row] is { } name && !known.Contains(name))
                throw new ArgumentException($"Row {row} asks for adapter '{name}', which the model does not have; it has: {(known.Count == 0 ? "none" : string.Join(", ", known.Order()))}.");
        if (layers.FirstOrDefault(l => l.MergedAdapter is not null) is { } merged)
            throw new InvalidOperationException($"Adapter '{merged.MergedAdapter}' is merged into the base weights, which every row would share; unmerge it before routing rows to adapters.");
        if (layers.Any(l => l.Routing is not null))
            throw new InvalidOperationException("The model already has an adapter routing; dispose it before setting another.");

        var slots = rowAdapters.OfType<string>().Distinct().ToList();   // slot slots.Count: no adapter
        var slotOfRow = rowAdapters.Select(name => (long)(name is null ? slots.Count : slots.IndexOf(name))).ToArray();
        var rowSlot = tensor(slotOfRow, ScalarType.Int64, lm.Device).DetachFromDisposeScope();   // (B)
        foreach (var layer in layers) layer.Routing = new AdapterRoutingStack(layer, slots, rowSlot, lm.DType);
        return new AdapterRouting(rowAdapters.ToArray(), layers, rowSlot);
    }

    /// <summary>Removes the routing: the model applies its active adapter to every row again.</summary>
    public void Dispose()
    {
        foreach (var layer in layers)
        {
            layer.Routing?.Dispose();
            layer.Routing = null;
        }
        rowSlot.Dispose();
    }
}
