using LoraLab.Engine.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Dora;

namespace LoraLab.Engine.Peft.Lora;

/// <summary>
/// A frozen linear layer with any number of named LoRA/DoRA adapters beside it; the active one adds its update.
/// Injected in place of the base layer by module name, as PEFT does (<c>q_proj.base_layer</c>, <c>q_proj.lora_A</c>…).
/// An adapter can be merged into the base weight (then the forward pass skips it) and unmerged again, as litgpt's
/// and PEFT's <c>merge()</c>; merging is idempotent and refuses a second adapter.
/// </summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>, IRoutedLinear
{
    public nn.Module<Tensor, Tensor> base_layer;
    public ModuleDict<LoraAdapter> adapters = new();
    readonly ILinearWeights baseWeights;
    Tensor? mergedDoraNorm;   // (out) ‖W + s·BA‖ at merge time: DoRA's unmerge multiplies it back in

    public LoraLinear(nn.Module<Tensor, Tensor> baseLayer) : base("LoraLinear")
    {
        base_layer = baseLayer;
        baseWeights = baseLayer as ILinearWeights
            ?? throw new ArgumentException($"LoRA needs a linear layer, got {baseLayer.GetType().Name}.");
        RegisterComponents();
    }

    public ILinearWeights Base => baseWeights;

    /// <summary>The adapter whose update is added, or null for the base layer alone.</summary>
    public string? ActiveAdapter { get; set; }

    /// <summary>The adapter folded into the base weight, or null.</summary>
    public string? MergedAdapter { get; private set; }

    /// <summary>The PiSSA adapter whose principal components were moved out of the base weight, or null.</summary>
    public string? ResidualOf { get; internal set; }

    /// <summary>Per-row adapters of a mixed batch (<see cref="AdapterRouting"/>); while set it replaces <see cref="ActiveAdapter"/>.</summary>
    internal AdapterRoutingStack? Routing { get; set; }

    public LoraAdapter Add(string name, int rank, double scaling, double dropout, bool dora)
    {
        // The device of the layer's own tensors: DenseWeight() would dequantize a whole quantized weight just to ask.
        var device = base_layer.parameters().Concat(base_layer.buffers()).First().device;
        var adapter = new LoraAdapter(baseWeights.InFeatures, baseWeights.OutFeatures, rank, scaling, dropout, dora, device);
        adapters.Add(name, adapter);
        // ModuleDict registers its entries only when constructed; later ones must be registered by hand, or
        // parameters(), train()/eval() and to() would not reach them.
        adapters.register_module(name, adapter);
        return adapter;
    }

    public LoraAdapter Adapter(string name) => adapters.TryGetValue(name, out var adapter)
        ? adapter!
        : throw new ArgumentException($"This layer has no adapter named '{name}'; it has: {string.Join(", ", adapters.keys())}.");

    /// <summary>Folds adapter <paramref name="name"/> into the base weight: LoRA W + s·BA, DoRA m·(W + s·BA)/‖W + s·BA‖.</summary>
    public void Merge(string name)
    {
        if (MergedAdapter == name) return;
        if (MergedAdapter is not null)
            throw new InvalidOperationException($"Adapter '{MergedAdapter}' is already merged into this layer; unmerge it before merging '{name}'.");
        var adapter = Adapter(name);
        var linear = WritableBase();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var w = linear.weight.to(ScalarType.Float32);   // (out, in)
        if (adapter.IsDora)
        {
            var (merged, norm) = DoraVariant.Merge(w, adapter);
            linear.weight.copy_(merged);
            mergedDoraNorm = norm.DetachFromDisposeScope();
        }
        else linear.weight.copy_(w + adapter.DeltaWeight(ScalarType.Float32));
        MergedAdapter = name;
        ActiveAdapter = name;
    }

    /// <summary>Restores the base weight the merged adapter was folded into (within float rounding); nothing when none is merged.</summary>
    public void Unmerge()
    {
        if (MergedAdapter is not { } name) return;
        var adapter = Adapter(name);
        var linear = WritableBase();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var w = linear.weight.to(ScalarType.Float32);   // (out, in)
        linear.weight.copy_(adapter.IsDora ? DoraVariant.Unmerge(w, adapter, mergedDoraNorm!) : w - adapter.DeltaWeight(ScalarType.Float32));
        mergedDoraNorm?.Dispose();
        mergedDoraNorm = null;
        MergedAdapter = null;
    }

    LinearLayer WritableBase() => base_layer as LinearLayer
        ?? throw new InvalidOperationException($"Merging rewrites the base weight, which needs a plain linear layer, not {base_layer.GetType().Name}.");

    /// <summary>
    /// Without gradients and dropout (eval), <see cref="forward"/> is the base alone (merged, or no adapter active) or
    /// the base plus the routing's update; an active adapter without a routing keeps its own forward here.
    /// </summary>
    bool IRoutedLinear.TryRouted(long rows, out LinearLayer baseLayer, out RoutedUpdate? update)
    {
        baseLayer = (base_layer as LinearLayer)!;
        update = null;
        if (baseLayer is null) return false;
        if (MergedAdapter is not null) return true;
        if (Routing is not null) return Routing.TryFactors(rows, out update);
        return ActiveAdapter is null;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var result = base_layer.call(x);   // (…, out)
        if (MergedAdapter is null)
        {
            if (Routing is not null) result = Routing.Forward(x, result, baseWeights.Bias);
            else if (ActiveAdapter is not null)
            {
                var adapter = adapters[ActiveAdapter];
                result = adapter.IsDora
                    ? DoraVariant.Forward(x, result, baseWeights, adapter)
                    : adapter.AddLowRankOutput(result, x);
            }
        }
        return result.MoveToOuterDisposeScope();
    }
}
