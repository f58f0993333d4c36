using LoraLab.Engine.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Quantization;

/// <summary>
/// A frozen linear layer stored in 4 bits (QLoRA, Dettmers et al. 2023; bitsandbytes' Linear4bit): block-wise absmax
/// NF4/FP4 codes, optionally with double-quantized scales. Everything quantized is a buffer, not a parameter. The forward
/// pass dequantizes W into the compute dtype, uses it and lets it go; no dense copy outlives the call.
/// </summary>
public sealed class QuantizedLinear : nn.Module<Tensor, Tensor>, ILinearWeights
{
    /// <summary>(⌈out·in / 2⌉) uint8: the row-major weight's codes, two per byte.</summary>
    public Tensor weight;
    /// <summary>(blocks) float32 scales, or their uint8 codes when double-quantized.</summary>
    public Tensor absmax;
    /// <summary>(⌈blocks / 256⌉) float32 absmax of the scale codes, with double quantization.</summary>
    public Tensor? nested_absmax;
    /// <summary>() float32 mean subtracted from the scales, with double quantization.</summary>
    public Tensor? nested_offset;
    public Parameter? bias;

    readonly CodeBook codeBook;

    QuantizedLinear(long inFeatures, long outFeatures, QuantizationOptions options, ScalarType computeDType,
        Tensor weight, Tensor absmax, Tensor? nestedAbsmax, Tensor? nestedOffset, Parameter? bias) : base("Linear4bit")
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Options = options;
        ComputeDType = computeDType;
        codeBook = CodeBook.For(options.Type);
        this.weight = weight;
        this.absmax = absmax;
        nested_absmax = nestedAbsmax;
        nested_offset = nestedOffset;
        this.bias = bias;
        RegisterComponents();
    }

    public long InFeatures { get; }
    public long OutFeatures { get; }
    public QuantizationOptions Options { get; }
    /// <summary>The dtype the weight is dequantized to and the layer computes in (the dense layer's dtype).</summary>
    public ScalarType ComputeDType { get; }
    public Tensor? Bias => bias;

    /// <summary>Quantizes <paramref name="layer"/>'s weight; its bias is copied, frozen, in the compute dtype.</summary>
    public static QuantizedLinear Quantize(ILinearWeights layer, QuantizationOptions options)
    {
        options.Validate();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var dense = layer.DenseWeight();   // (out, in)
        long nonFinite = dense.numel() - isfinite(dense).sum().item<long>();
        if (nonFinite > 0)
            throw new ArgumentException($"Cannot quantize a ({layer.OutFeatures}, {layer.InFeatures}) weight with {nonFinite} NaN or infinite values.");

        var (codes, absmax) = BlockwiseQuantization.Quantize(dense, CodeBook.For(options.Type), options.BlockSize);
        var packed = NibblePacking.Pack(codes);
        Tensor? nested = null, offset = null;
        if (options.DoubleQuant) (absmax, nested, offset) = DoubleQuantization.Quantize(absmax);
        var bias = layer.Bias is { } b ? new Parameter(b.detach().clone(), requires_grad: false) : null;

        packed.MoveToOuterDisposeScope();
        absmax.MoveToOuterDisposeScope();
        nested?.MoveToOuterDisposeScope();
        offset?.MoveToOuterDisposeScope();
        bias?.MoveToOuterDisposeScope();
        return new QuantizedLinear(layer.InFeatures, layer.OutFeatures, options, dense.dtype, packed, absmax, nested, offset, bias);
    }

    /// <summary>A fresh (out, in) dequantized weight in <see cref="ComputeDType"/>, owned by the caller.</summary>
    public Tensor DenseWeight()
    {
        using var scope = NewDisposeScope();
        var scales = nested_absmax is null ? absmax : DoubleQuantization.Dequantize(absmax, nested_absmax, nested_offset!);   // (blocks)
        var dense = BlockwiseQuantization.DequantizePacked(weight, InFeatures * OutFeatures, scales, codeBook, Options.BlockSize, ComputeDType);
        return dense.view(OutFeatures, InFeatures).MoveToOuterDisposeScope();
    }

    /// <summary>Bytes held by the quantized weight: codes and scales, without the bias.</summary>
    public long WeightBytes() =>
        new[] { weight, absmax, nested_absmax, nested_offset }.Sum(t => t is null ? 0 : t.numel() * t.ElementSize);

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor y;
        if (is_grad_enabled() && x.requires_grad)
        {
            // Backward needs W only to pass the gradient to x; recomputing it there keeps no dense W alive in the graph.
            y = DequantizingLinearFunction.apply(x, this);   // (…, out)
            if (bias is not null) y = y + bias;
        }
        else
        {
            y = nn.functional.linear(x, DenseWeight(), bias);   // (…, out)
        }
        return y.MoveToOuterDisposeScope();
    }
}
