using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace LoraLab.Engine.Checkpoints;

/// <summary>Raw access to the storage of contiguous CPU tensors, for copies that skip managed buffers.</summary>
internal static unsafe class TensorMemory
{
    /// <summary>
    /// The address of the first element. TorchSharp exposes storage only as a <see cref="Span{T}"/>, capped at 2 GB, so this
    /// takes the span of a one-element view: in a contiguous tensor every other element follows it.
    /// </summary>
    public static byte* FirstElementAddress(torch.Tensor tensor)
    {
        if (!tensor.is_contiguous() || tensor.device_type != DeviceType.CPU || tensor.NumberOfElements == 0)
            throw new ArgumentException("Expected a non-empty contiguous CPU tensor.", nameof(tensor));
        using var scope = torch.NewDisposeScope();
        Span<byte> first = tensor.view(-1).narrow(0, 0, 1).bytes;
        return (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(first));
    }
}
