using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>
/// <see cref="RmsNorm"/>'s computation as one autograd function with its gradient written out: composed, autograd
/// keeps the float32 input and makes a full-size tensor for each of pow, mean, rsqrt, the casts and the products,
/// about twice the passes over memory of dx = r·g' − x·r³·mean(g'·x), with g' = g·w and r = 1/√(mean(x²) + ε).
/// </summary>
sealed class RmsNormFunction : autograd.SingleTensorFunction<RmsNormFunction>
{
    public override string Name => nameof(RmsNormFunction);

    /// <param name="x">(…, D) in any float dtype.</param>
    /// <param name="weight">(D) in x's dtype.</param>
    /// <remarks>Without a gradient to compute (under no_grad, as in decoding) the function's context and node are skipped: they cost more than the arithmetic of one token.</remarks>
    public static Tensor Apply(Tensor x, Tensor weight, double eps) =>
        is_grad_enabled() && (x.requires_grad || weight.requires_grad) ? apply(x, weight, eps) : Normalize(x, weight, eps);

    /// <summary>The forward computation alone: (x · r).to(x.dtype) · weight, with r = 1/√(mean(x²) + ε) in float32.</summary>
    static Tensor Normalize(Tensor x, Tensor weight, double eps)
    {
        using var scope = NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);                                       // (…, D)
        return (x32 * InverseRms(x32, eps)).to(x.dtype).mul_(weight).MoveToOuterDisposeScope();
    }

    /// <summary>r = 1/√(mean(x²) + ε), (…, 1), of float32 x (…, D).</summary>
    static Tensor InverseRms(Tensor x32, double eps) => x32.square().mean([-1], keepdim: true).add_(eps).rsqrt_();

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, weight, eps) = ((Tensor)vars[0], (Tensor)vars[1], (double)vars[2]);
        using var scope = NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);                                       // (…, D)
        var r = InverseRms(x32, eps);                                             // (…, 1)
        // Saved tensors become the graph's only after forward returns, so r must outlive this scope.
        ctx.save_for_backward([x, weight, r.MoveToOuterDisposeScope()]);
        // Whether each input wants a gradient is read here: the saved tensors do not carry it into backward.
        ctx.save_data(nameof(x), x.requires_grad);
        ctx.save_data(nameof(weight), weight.requires_grad);
        return (x32 * r).to(x.dtype).mul_(weight).MoveToOuterDisposeScope();
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
    {
        var saved = ctx.get_saved_variables();
        var (x, weight, r) = (saved[0], saved[1], saved[2]);
        using var scope = NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);                                       // (…, D)
        Tensor? dx = null, dWeight = null;
        if ((bool)ctx.get_data("x"))
        {
            var g = (grad * weight).to(ScalarType.Float32);                       // (…, D) gradient of the normalised x, a new tensor
            var coefficient = (g * x32).mean([-1], keepdim: true).mul_(r.pow(3)); // (…, 1)
            dx = g.mul_(r).addcmul_(x32, coefficient, -1).to(x.dtype);
        }
        if ((bool)ctx.get_data("weight"))
            dWeight = (grad * (x32 * r).to(x.dtype)).reshape(-1, weight.shape[0]).sum([0]);   // (D)
        return [dx?.MoveToOuterDisposeScope()!, dWeight?.MoveToOuterDisposeScope()!, null!];
    }
}
