using TorchSharp;

namespace LoraLab.Engine.Checkpoints;

/// <summary>The element types of the safetensors format that have a torch counterpart, named as in the file header.</summary>
public enum SafetensorsDType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL }

public static class SafetensorsDTypeExtensions
{
    public static torch.ScalarType ToScalarType(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F64 => torch.ScalarType.Float64,
        SafetensorsDType.F32 => torch.ScalarType.Float32,
        SafetensorsDType.F16 => torch.ScalarType.Float16,
        SafetensorsDType.BF16 => torch.ScalarType.BFloat16,
        SafetensorsDType.I64 => torch.ScalarType.Int64,
        SafetensorsDType.I32 => torch.ScalarType.Int32,
        SafetensorsDType.I16 => torch.ScalarType.Int16,
        SafetensorsDType.I8 => torch.ScalarType.Int8,
        SafetensorsDType.U8 => torch.ScalarType.Byte,
        SafetensorsDType.BOOL => torch.ScalarType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype."),
    };

    public static SafetensorsDType ToSafetensorsDType(this torch.ScalarType scalarType) =>
        TryFromScalarType(scalarType, out var dtype)
            ? dtype
            : throw new ArgumentException($"Torch dtype {scalarType} has no safetensors counterpart.", nameof(scalarType));

    /// <summary>Bytes per element; BOOL is stored as one byte holding 0 or 1, like torch.</summary>
    public static int ElementSize(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F64 or SafetensorsDType.I64 => 8,
        SafetensorsDType.F32 or SafetensorsDType.I32 => 4,
        SafetensorsDType.F16 or SafetensorsDType.BF16 or SafetensorsDType.I16 => 2,
        SafetensorsDType.I8 or SafetensorsDType.U8 or SafetensorsDType.BOOL => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype."),
    };

    /// <summary>Bytes of a tensor of this dtype and shape; throws <see cref="OverflowException"/> past 2^63.</summary>
    internal static long ByteSize(this SafetensorsDType dtype, IReadOnlyList<long> shape)
    {
        long size = dtype.ElementSize();
        foreach (long dimension in shape) size = checked(size * dimension);
        return size;
    }

    /// <summary>Exact, case-sensitive header names only: Enum.TryParse would also accept "f32" or "1".</summary>
    internal static bool TryParse(string text, out SafetensorsDType dtype) =>
        TryFind(candidate => candidate.ToString() == text, out dtype);

    internal static bool TryFromScalarType(torch.ScalarType scalarType, out SafetensorsDType dtype) =>
        TryFind(candidate => candidate.ToScalarType() == scalarType, out dtype);

    static bool TryFind(Func<SafetensorsDType, bool> matches, out SafetensorsDType dtype)
    {
        foreach (var candidate in Enum.GetValues<SafetensorsDType>())
        {
            if (!matches(candidate)) continue;
            dtype = candidate;
            return true;
        }
        dtype = default;
        return false;
    }
}
