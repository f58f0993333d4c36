using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Quantization;

/// <summary>
/// x ↦ x·Wᵀ for a frozen <see cref="QuantizedLinear"/> that dequantizes W again in backward instead of saving it, as
/// bitsandbytes' MatMul4Bit does: autograd would otherwise hold every layer's dense W until the backward pass.
/// </summary>
sealed class DequantizingLinearFunction : autograd.SingleTensorFunction<DequantizingLinearFunction>
{
    public override string Name => nameof(DequantizingLinearFunction);

    /// <param name="vars">x (…, in) and the <see cref="QuantizedLinear"/>.</param>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var layer = (QuantizedLinear)vars[1];
        ctx.save_data("layer", layer);
        // Undefined output gradients stay undefined rather than being materialised from a cached zeros-like tensor.
        ctx.set_materialize_grads(false);
        using var w = layer.DenseWeight();      // (out, in)
        return nn.functional.linear(x, w);      // (…, out)
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        if (gradOutput is null || gradOutput.IsInvalid) return [null!, null!];
        var layer = (QuantizedLinear)ctx.get_data("layer");
        using var scope = NewDisposeScope();
        using var w = layer.DenseWeight();                          // (out, in)
        var gradInput = gradOutput.matmul(w);                       // (…, in)
        return [gradInput.MoveToOuterDisposeScope(), null!];
    }
}
