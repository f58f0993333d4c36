using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>RMSNorm computed in float32 and cast back, exactly as transformers' LlamaRMSNorm.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    public Parameter weight;
    readonly double eps;

    public RmsNorm(long size, double eps, Device device, ScalarType dtype) : base("RMSNorm")
    {
        weight = new Parameter(ones([size], dtype, device));
        this.eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);
        var variance = x32.pow(2).mean([-1], keepdim: true);
        var normed = (x32 * rsqrt(variance + eps)).to(x.dtype);
        return (weight * normed).MoveToOuterDisposeScope();
    }
}
