using LoraLab.Engine.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Ia3;

/// <summary>
/// A frozen linear layer rescaled by a learned vector (Liu et al. 2022, "Few-Shot Parameter-Efficient Fine-Tuning is
/// Better and Cheaper than In-Context Learning"), exactly as PEFT's IA3 Linear: for keys and values the vector l (out, 1)
/// scales the output, bias included (y = l ⊙ (Wx + b)); for a feed-forward layer l (1, in) scales the input
/// (y = W(l ⊙ x) + b), which is the paper's rescaling of the FFN's inner activations. A fresh l is all ones.
/// </summary>
public sealed class Ia3Linear : nn.Module<Tensor, Tensor>
{
    public nn.Module<Tensor, Tensor> base_layer;
    public Parameter ia3_l;

    public Ia3Linear(nn.Module<Tensor, Tensor> baseLayer, bool isFeedforward) : base("Ia3Linear")
    {
        base_layer = baseLayer;
        Base = baseLayer as ILinearWeights ?? throw new ArgumentException($"(IA)³ needs a linear layer, got {baseLayer.GetType().Name}.");
        IsFeedforward = isFeedforward;
        long[] shape = isFeedforward ? [1, Base.InFeatures] : [Base.OutFeatures, 1];
        // float32 whatever the base's compute dtype, as PEFT keeps it.
        ia3_l = new Parameter(ones(shape, ScalarType.Float32, Base.DenseWeight().device));
        RegisterComponents();
    }

    public ILinearWeights Base { get; }
    public bool IsFeedforward { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var scale = ia3_l.flatten();   // (in) or (out)
        Tensor result;
        if (IsFeedforward)
        {
            result = base_layer.call((x.to(scale.dtype) * scale).to(x.dtype));   // (…, out)
        }
        else
        {
            var y = base_layer.call(x);                                         // (…, out)
            result = (y * scale).to(y.dtype);
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Folds l into the base weight (W·diag(l) for a feed-forward layer, diag(l)·W and l ⊙ b otherwise) and returns the
    /// base layer, which then computes what this layer computed.
    /// </summary>
    public LinearLayer MergeIntoBase()
    {
        if (base_layer is not LinearLayer linear)
            throw new InvalidOperationException($"(IA)³ can only be merged into a plain linear layer, not a {base_layer.GetType().Name}.");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var w = linear.weight;                                                      // (out, in)
        w.copy_((w.to(ScalarType.Float32) * ia3_l).to(w.dtype));                    // ia3_l (out, 1) or (1, in) broadcasts
        if (!IsFeedforward && linear.bias is { } b) b.copy_((b.to(ScalarType.Float32) * ia3_l.flatten()).to(b.dtype));
        return linear;
    }
}
