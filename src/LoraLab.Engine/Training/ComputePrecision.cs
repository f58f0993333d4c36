using static TorchSharp.torch;

namespace LoraLab.Engine.Training;

/// <summary>
/// The dtype the frozen base model computes in. Adapter weights, their gradients and the optimizer state are float32
/// in every mode; float32 is the exact reference, bf16 the fast path on CPUs with bf16 instructions, fp16 adds
/// dynamic loss scaling because its range is narrow.
/// </summary>
public enum ComputePrecision { Float32, Bf16, Fp16 }

public static class ComputePrecisionExtensions
{
    public static ScalarType DType(this ComputePrecision precision) => precision switch
    {
        ComputePrecision.Float32 => ScalarType.Float32,
        ComputePrecision.Bf16 => ScalarType.BFloat16,
        ComputePrecision.Fp16 => ScalarType.Float16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown compute precision."),
    };

    public static int Bytes(this ComputePrecision precision) => precision == ComputePrecision.Float32 ? 4 : 2;
}
