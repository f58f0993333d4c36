using static TorchSharp.torch;

namespace LoraLab.Engine.Quantization;

/// <summary>
/// QLoRA's double quantization (Dettmers et al. 2023, §3): the float32 absmax of every 4-bit block is itself quantized,
/// as bitsandbytes' <c>quantize_4bit(compress_statistics=True)</c> does it: subtract the mean of all scales, then quantize
/// block-wise (256 per block) to the signed dynamic 8-bit map, keeping one float32 absmax per 256 scales and the mean.
/// A 64-weight block's scale then costs 8 + 32/256 bits instead of 32. Unlike bitsandbytes the mean is summed in float64,
/// so scales near float32's range cannot overflow it.
/// </summary>
public static class DoubleQuantization
{
    public const int BlockSize = 256;

    /// <param name="absmax">float32 (blocks) scales of a 4-bit tensor.</param>
    /// <returns>uint8 codes (blocks), float32 nested absmax (⌈blocks / 256⌉) and the float32 mean () that was subtracted.</returns>
    public static (Tensor Codes, Tensor NestedAbsmax, Tensor Offset) Quantize(Tensor absmax)
    {
        using var scope = NewDisposeScope();
        var offset = absmax.to(ScalarType.Float64).mean().to(ScalarType.Float32);   // ()
        var (codes, nested) = BlockwiseQuantization.Quantize(absmax - offset, CodeBook.Dynamic8Bit, BlockSize);
        return (codes.MoveToOuterDisposeScope(), nested.MoveToOuterDisposeScope(), offset.MoveToOuterDisposeScope());
    }

    /// <returns>float32 (blocks) scales: code value × nested absmax + mean.</returns>
    public static Tensor Dequantize(Tensor codes, Tensor nestedAbsmax, Tensor offset)
    {
        using var scope = NewDisposeScope();
        var centered = BlockwiseQuantization.Dequantize(codes, nestedAbsmax, CodeBook.Dynamic8Bit, BlockSize, ScalarType.Float32);
        return (centered + offset).MoveToOuterDisposeScope();
    }
}
