using LoraLab.Engine.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Bottleneck;

/// <summary>
/// A frozen projection followed by a bottleneck adapter (Houlsby et al. 2019, "Parameter-Efficient Transfer Learning for
/// NLP"): y + up(act(down(y))) with down (b, D) and up (D, b), both with biases, applied to the projection's output y
/// before the residual add. up starts at zero, so a fresh adapter is the identity, as the paper's near-identity initialisation intends.
/// </summary>
public sealed class BottleneckLinear : nn.Module<Tensor, Tensor>
{
    public nn.Module<Tensor, Tensor> base_layer;
    public Linear adapter_down;
    public Linear adapter_up;
    readonly string nonLinearity;

    public BottleneckLinear(nn.Module<Tensor, Tensor> baseLayer, int bottleneckSize, string nonLinearity) : base("BottleneckLinear")
    {
        base_layer = baseLayer;
        var linear = baseLayer as ILinearWeights ?? throw new ArgumentException($"A bottleneck adapter needs a linear layer, got {baseLayer.GetType().Name}.");
        long hidden = linear.OutFeatures;
        var device = linear.DenseWeight().device;
        // float32 whatever the base's compute dtype, as the LoRA adapters are.
        adapter_down = nn.Linear(hidden, bottleneckSize, hasBias: true, device: device, dtype: ScalarType.Float32);
        adapter_up = nn.Linear(bottleneckSize, hidden, hasBias: true, device: device, dtype: ScalarType.Float32);
        this.nonLinearity = nonLinearity;
        using (no_grad())
            foreach (var p in new[] { adapter_down.weight!, adapter_down.bias!, adapter_up.weight!, adapter_up.bias! }) p.zero_();
        RegisterComponents();
    }

    /// <summary>down ~ U(−1/√D, 1/√D), torch.nn.Linear's default; its bias and all of up stay zero, so the output is unchanged.</summary>
    public void Initialize(Generator generator)
    {
        using var noGrad = no_grad();
        double bound = 1.0 / Math.Sqrt(adapter_down.weight!.shape[1]);   // fan-in D
        adapter_down.weight!.uniform_(-bound, bound, generator);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = base_layer.call(x);                                                                          // (…, D)
        var down = nn.functional.linear(y, adapter_down.weight!.to(y.dtype), adapter_down.bias!.to(y.dtype));   // (…, b)
        var up = nn.functional.linear(Activate(down), adapter_up.weight!.to(y.dtype), adapter_up.bias!.to(y.dtype));   // (…, D)
        return (y + up).MoveToOuterDisposeScope();
    }

    Tensor Activate(Tensor h) => nonLinearity switch
    {
        "relu" => nn.functional.relu(h),
        "gelu" => nn.functional.gelu(h),
        "silu" => nn.functional.silu(h),
        _ => throw new InvalidOperationException($"Unknown non-linearity '{nonLinearity}'."),
    };
}
