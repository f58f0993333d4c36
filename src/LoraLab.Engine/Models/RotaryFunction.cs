using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>
/// The rotary embedding x·cos + rotate_half(x)·sin as one autograd function. Its gradient is g·cos + rotate_halfᵀ(g·sin),
/// with rotate_halfᵀ(y) = [y₂, −y₁]; composed, autograd also back-propagates through the negation, the concatenation and
/// the two halves as separate full-size tensors.
/// </summary>
sealed class RotaryFunction : autograd.SingleTensorFunction<RotaryFunction>
{
    public override string Name => nameof(RotaryFunction);

    /// <param name="x">(B, H, T, hD)</param>
    /// <param name="cos">(B, 1, T, hD), not trained.</param>
    /// <param name="sin">(B, 1, T, hD), not trained.</param>
    /// <remarks>Without a gradient to compute (under no_grad, as in decoding) the function's context and node are skipped: they cost more than the arithmetic of one token.</remarks>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin) =>
        is_grad_enabled() && x.requires_grad ? apply(x, cos, sin) : Rotate(x, cos, sin);

    static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        return RotateHalf(x, transposed: false).mul_(sin).addcmul_(x, cos, 1).MoveToOuterDisposeScope();
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, cos, sin) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2]);
        ctx.save_for_backward([cos, sin]);
        return Rotate(x, cos, sin);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
    {
        var saved = ctx.get_saved_variables();
        var (cos, sin) = (saved[0], saved[1]);
        using var scope = NewDisposeScope();
        var dx = RotateHalf(grad * sin, transposed: true).addcmul_(grad, cos, 1);
        return [dx.MoveToOuterDisposeScope(), null!, null!];
    }

    /// <summary>[−x₂, x₁], or its transpose [x₂, −x₁], over the halves of the last axis; a new tensor.</summary>
    static Tensor RotateHalf(Tensor x, bool transposed)
    {
        long half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        return transposed ? cat([x2, -x1], dim: -1) : cat([-x2, x1], dim: -1);
    }
}
