using LoraLab.Engine.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft;

/// <summary>
/// A frozen linear layer with any number of named LoRA/DoRA adapters beside it; the active one adds its update.
/// Injected in place of the base layer by module name, as PEFT does (<c>q_proj.base_layer</c>, <c>q_proj.lora_A</c>…).
/// </summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
    public nn.Module<Tensor, Tensor> base_layer;
    public ModuleDict<LoraAdapter> adapters = new();
    readonly ILinearWeights baseWeights;

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

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var result = base_layer.call(x);   // (…, out)
        if (ActiveAdapter is not null)
        {
            var adapter = adapters[ActiveAdapter];
            result = adapter.IsDora
                ? DoraVariant.Forward(x, result, baseWeights, adapter)
                : result + adapter.LowRankOutput(x);
        }
        return result.MoveToOuterDisposeScope();
    }
}
