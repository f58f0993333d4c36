namespace LoraLab.Engine.Quantization;

/// <summary>The 4-bit data type of a quantized weight (QLoRA, Dettmers et al. 2023).</summary>
public enum FourBitType
{
    /// <summary>NormalFloat: 16 quantiles of N(0, 1), the information-theoretically right code for normally distributed weights.</summary>
    Nf4,
    /// <summary>bitsandbytes' 4-bit float (1 sign, 2 exponent, 1 mantissa bit).</summary>
    Fp4,
}

/// <summary>How <see cref="ModelQuantizer"/> stores linear weights; bitsandbytes' defaults for QLoRA.</summary>
public sealed record QuantizationOptions
{
    public FourBitType Type { get; init; } = FourBitType.Nf4;
    /// <summary>Quantize the per-block float32 scales again to 8 bits (bitsandbytes' <c>compress_statistics</c>).</summary>
    public bool DoubleQuant { get; init; } = true;
    /// <summary>Weights per absmax scale.</summary>
    public int BlockSize { get; init; } = 64;

    public void Validate()
    {
        if (!Enum.IsDefined(Type)) throw new ArgumentException($"Quantization type {(int)Type} is neither Nf4 nor Fp4.");
        if (BlockSize <= 0) throw new ArgumentException($"Quantization block size must be positive, got {BlockSize}.");
    }
}
