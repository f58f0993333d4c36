using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>SwiGLU feed-forward: down(silu(gate(x)) · up(x)).</summary>
public sealed class Mlp : SwappableModule
{
    public nn.Module<Tensor, Tensor> gate_proj, up_proj, down_proj;

    public Mlp(ModelConfig c, Device device, ScalarType dtype) : base("MLP")
    {
        gate_proj = new LinearLayer(c.HiddenSize, c.IntermediateSize, c.MlpBias, device, dtype);
        up_proj = new LinearLayer(c.HiddenSize, c.IntermediateSize, c.MlpBias, device, dtype);
        down_proj = new LinearLayer(c.IntermediateSize, c.HiddenSize, c.MlpBias, device, dtype);
        IntermediateSize = c.IntermediateSize;
        RegisterComponents();
    }

    internal long IntermediateSize { get; }

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var hidden = nn.functional.silu(gate_proj.call(x)) * up_proj.call(x);   // (B, T, I)
        return down_proj.call(hidden).MoveToOuterDisposeScope();                // (B, T, D)
    }
}
