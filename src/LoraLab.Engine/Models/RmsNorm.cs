using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>
/// RMSNorm computed in float32 and cast back, exactly as transformers' LlamaRMSNorm:
/// weight · (x / √(mean(x²) + ε)).to(x.dtype), through <see cref="RmsNormFunction"/>.
/// </summary>
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

    internal double Eps => eps;

    public override Tensor forward(Tensor x) => RmsNormFunction.Apply(x, weight, eps);
}
