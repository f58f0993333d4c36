using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Quantization;

/// <summary>
/// Block-wise absmax quantization (Dettmers et al. 2022, "8-bit Optimizers via Block-wise Quantization"): every block of
/// consecutive values is divided by its largest magnitude and each quotient is replaced by its nearest code. A count that
/// is not a multiple of the block size ends in a shorter block with its own absmax, as in bitsandbytes; a block of zeros
/// has absmax 0 and every code points at the value 0.
/// </summary>
public static class BlockwiseQuantization
{
    // Elements per step, so the float32 quotients, int64 cell indices and float32 values of a large matrix never all exist at once.
    const long ChunkElements = 1 << 22;

    /// <param name="values">Any shape, any floating dtype; read in row-major order.</param>
    /// <returns>uint8 codes (n) and float32 absmax (⌈n / blockSize⌉).</returns>
    public static (Tensor Codes, Tensor Absmax) Quantize(Tensor values, CodeBook book, int blockSize)
    {
        if (blockSize <= 0) throw new ArgumentException($"Quantization block size must be positive, got {blockSize}.");
        using var scope = NewDisposeScope();
        long n = values.numel();
        long blocks = (n + blockSize - 1) / blockSize;
        // Zero padding leaves the last block's absmax, and so every real code, unchanged.
        var grid = PadToBlocks(values.reshape(-1).to(ScalarType.Float32), blocks * blockSize).view(blocks, blockSize);   // (blocks, bs)
        var absmax = maximum(grid.amax([1]), grid.amin([1]).neg());   // (blocks) max |w|, without a full-size copy of |w|
        var divisor = where(absmax == 0, ones_like(absmax), absmax).unsqueeze(1);                                         // (blocks, 1)

        var codes = empty([blocks * blockSize], ScalarType.Byte, values.device);
        long step = ChunkBlocks(blockSize);
        for (long start = 0; start < blocks; start += step)
        {
            using var chunkScope = NewDisposeScope();
            long count = Math.Min(step, blocks - start);
            var scaled = grid.narrow(0, start, count) / divisor.narrow(0, start, count);   // (count, bs) in [−1, 1]
            codes.narrow(0, start * blockSize, count * blockSize).copy_(book.Nearest(scaled).view(-1));
        }
        return (codes.narrow(0, 0, n).MoveToOuterDisposeScope(), absmax.MoveToOuterDisposeScope());
    }

    /// <param name="codes">uint8 (n).</param>
    /// <param name="absmax">float32 (⌈n / blockSize⌉).</param>
    /// <returns>(n) code value × absmax, computed in float32 and returned in <paramref name="dtype"/>.</returns>
    public static Tensor Dequantize(Tensor codes, Tensor absmax, CodeBook book, int blockSize, ScalarType dtype) =>
        Dequantize((first, length) => book.Lookup(codes.narrow(0, first, length)), codes.numel(), absmax, blockSize, dtype);

    /// <summary>As <see cref="Dequantize(Tensor, Tensor, CodeBook, int, ScalarType)"/> for 4-bit codes packed by <see cref="NibblePacking"/>.</summary>
    /// <param name="packed">uint8 (⌈count / 2⌉).</param>
    public static Tensor DequantizePacked(Tensor packed, long count, Tensor absmax, CodeBook book, int blockSize, ScalarType dtype) =>
        // Chunks start at even positions (see ChunkBlocks), so each begins on a byte boundary.
        Dequantize((first, length) => book.LookupPacked(packed.narrow(0, first / 2, (length + 1) / 2)).narrow(0, 0, length), count, absmax, blockSize, dtype);

    /// <param name="unitValues">(first, length) → float32 (length) code values of that stretch.</param>
    static Tensor Dequantize(Func<long, long, Tensor> unitValues, long n, Tensor absmax, int blockSize, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        long blocks = absmax.numel();
        if (blocks != (n + blockSize - 1) / blockSize)
            throw new ArgumentException($"{n} codes in blocks of {blockSize} need {(n + blockSize - 1) / blockSize} absmax values, got {blocks}.");

        var output = empty([n], dtype, absmax.device);
        long step = ChunkBlocks(blockSize);
        for (long start = 0; start < blocks; start += step)
        {
            using var chunkScope = NewDisposeScope();
            long count = Math.Min(step, blocks - start);
            long first = start * blockSize, length = Math.Min(count * blockSize, n - first);
            var unit = PadToBlocks(unitValues(first, length), count * blockSize).view(count, blockSize);   // (count, bs)
            var scaled = unit * absmax.narrow(0, start, count).unsqueeze(1);                                // (count, bs)
            output.narrow(0, first, length).copy_(scaled.view(-1).narrow(0, 0, length));
        }
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>Blocks per step: an even number, so that every chunk of packed codes starts on a whole byte.</summary>
    static long ChunkBlocks(int blockSize) => Math.Max(2, ChunkElements / blockSize / 2 * 2);

    static Tensor PadToBlocks(Tensor flat, long length) =>
        flat.numel() == length ? flat : nn.functional.pad(flat, [0, length - flat.numel()]);
}
