using static TorchSharp.torch;

namespace LoraLab.Engine.Quantization;

/// <summary>Two 4-bit codes per byte, the first of each pair in the high nibble, as bitsandbytes packs them.</summary>
public static class NibblePacking
{
    /// <param name="codes">uint8 (n), each below 16.</param>
    /// <returns>uint8 (⌈n / 2⌉); an odd count is completed with code 0.</returns>
    public static Tensor Pack(Tensor codes)
    {
        using var scope = NewDisposeScope();
        var flat = codes.reshape(-1);
        if (flat.numel() % 2 != 0) flat = cat([flat, zeros([1], ScalarType.Byte, codes.device)]);
        var pairs = flat.view(-1, 2);                                     // (⌈n/2⌉, 2)
        var packed = pairs.select(1, 0) * 16 + pairs.select(1, 1);        // at most 15·16 + 15 = 255: no uint8 overflow
        return packed.MoveToOuterDisposeScope();
    }
}
