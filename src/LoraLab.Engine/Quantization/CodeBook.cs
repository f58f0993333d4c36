using static TorchSharp.torch;

namespace LoraLab.Engine.Quantization;

/// <summary>
/// The values a quantization code stands for, as fractions of a block's absmax, and the search for the nearest one.
/// A value exactly halfway between two codes gets the smaller one; equal values (FP4's +0 and −0) share the lower code.
/// </summary>
public sealed class CodeBook
{
    // A search grid over [−1, 1] in cells of 2^-11, fine enough for the 4-bit books that no cell holds two bounds.
    const int CellsPerUnit = 1 << 11;

    readonly float[] values;
    readonly float[] upperBounds;   // the largest float32 that is not nearer to the next distinct value than to this one
    readonly byte[] codeOfRank;     // the code of the k-th smallest distinct value
    readonly SearchGrid? grid;      // null when bounds are closer than a cell (the 8-bit map): binary search instead

    /// <summary>
    /// Per cell [k/C, (k+1)/C) of the grid: the bound inside it (+∞ if none), and the codes just below and above it.
    /// For x in the cell the nearest code is <c>x &gt; Bound ? Above : Below</c>: one lookup and one comparison.
    /// </summary>
    sealed record SearchGrid(float[] Bound, byte[] Below, byte[] Above);

    CodeBook(string name, float[] codeValues)
    {
        Name = name;
        values = codeValues;
        var sorted = Enumerable.Range(0, values.Length).OrderBy(c => values[c]).ThenBy(c => c).ToArray();
        // Of equal values (+0 == −0) the lower code stays.
        var distinct = sorted.Where((c, k) => k == 0 || values[sorted[k - 1]] != values[c]).ToArray();
        codeOfRank = distinct.Select(c => (byte)c).ToArray();
        upperBounds = distinct.Zip(distinct.Skip(1), (lo, hi) => FloatAtOrBelow(((double)values[lo] + values[hi]) / 2)).ToArray();
        grid = BuildGrid();
    }

    public string Name { get; }
    public IReadOnlyList<float> Values => values;

    /// <summary>
    /// NormalFloat4 (QLoRA, Dettmers et al. 2023, appendix E), as bitsandbytes' <c>get_4bit_type("nf4")</c>: 8 positive and
    /// 7 negative quantiles of N(0, 1) scaled to [−1, 1], with an exact zero.
    /// </summary>
    public static CodeBook Nf4 { get; } = new("NF4",
    [
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
        0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
        0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
    ]);

    /// <summary>
    /// bitsandbytes' FP4 (<c>bitsandbytes/functional.py</c>, <c>get_4bit_type("fp4")</c>; the normalised table is
    /// <c>_FP4_QUANT_TABLE</c> in <c>bitsandbytes/backends/utils.py</c>): code bits sign|e1 e0|m with exponent bias 3,
    /// 2^(4−e)·(1 + m/2) for e &gt; 0 and the subnormal m·0.0625, i.e. 0, 0.0625, 8, 12, 4, 6, 2, 3 and their negatives,
    /// divided by the largest (12) in float32.
    /// </summary>
    public static CodeBook Fp4 { get; } = new("FP4",
        new double[] { 0, 0.0625, 8, 12, 4, 6, 2, 3, -0.0, -0.0625, -8, -12, -4, -6, -2, -3 }.Select(v => (float)v / 12f).ToArray());

    /// <summary>
    /// bitsandbytes' signed dynamic 8-bit map (<c>create_dynamic_map(signed=True, max_exponent_bits=7)</c>, after Dettmers
    /// 2015, "8-Bit Approximations for Parallelism in Deep Learning"), used for double-quantized scales: for each decade
    /// 10^(i−6), i = 0…6, the 2^i midpoints of linspace(0.1, 1, 2^i + 1) and their negatives, plus 0 and 1, sorted.
    /// Computed in float64 and rounded once, so it matches bitsandbytes' float32 table to within float32 rounding.
    /// </summary>
    public static CodeBook Dynamic8Bit { get; } = new("dynamic 8-bit", DynamicMap());

    public static CodeBook For(FourBitType type) => type switch
    {
        FourBitType.Nf4 => Nf4,
        FourBitType.Fp4 => Fp4,
        _ => throw new ArgumentException($"Quantization type {(int)type} is neither Nf4 nor Fp4."),
    };

    /// <summary>uint8 codes (same shape) of the values nearest to <paramref name="scaled"/> (float32, within [−1, 1]).</summary>
    public Tensor Nearest(Tensor scaled)
    {
        using var scope = NewDisposeScope();
        Tensor codes;
        if (grid is not null)
        {
            // x·C is exact (a power of two), so every x lands in the cell that really holds it.
            var cell = (scaled * CellsPerUnit).floor_().add_(CellsPerUnit).to(ScalarType.Int64).flatten();
            var x = scaled.flatten();
            var above = x > tensor(grid.Bound, ScalarType.Float32, x.device).index_select(0, cell);
            codes = where(above, tensor(grid.Above, ScalarType.Byte, x.device).index_select(0, cell),
                tensor(grid.Below, ScalarType.Byte, x.device).index_select(0, cell));
        }
        else
        {
            var bounds = tensor(upperBounds, ScalarType.Float32, scaled.device);
            // The number of bounds below x is the rank of x's nearest distinct value.
            var rank = searchsorted(bounds, scaled.contiguous(), out_int32: true);
            codes = tensor(codeOfRank, ScalarType.Byte, scaled.device).index_select(0, rank.flatten());
        }
        return codes.view(scaled.shape).MoveToOuterDisposeScope();
    }

    /// <summary>The float32 values (same shape) that uint8 <paramref name="codes"/> stand for.</summary>
    public Tensor Lookup(Tensor codes)
    {
        using var scope = NewDisposeScope();
        var table = tensor(values, ScalarType.Float32, codes.device);
        return table.index_select(0, codes.flatten().to(ScalarType.Int64)).view(codes.shape).MoveToOuterDisposeScope();
    }

    /// <summary>The float32 values (2·bytes) of 4-bit codes packed two to a byte, high nibble first, without unpacking them.</summary>
    public Tensor LookupPacked(Tensor packed)
    {
        if (values.Length != 16) throw new InvalidOperationException($"The {Name} code book has {values.Length} codes; only 4-bit codes pack two to a byte.");
        using var scope = NewDisposeScope();
        var pairs = new float[256 * 2];   // byte b → (value of its high nibble, value of its low nibble)
        for (int b = 0; b < 256; b++)
        {
            pairs[2 * b] = values[b >> 4];
            pairs[2 * b + 1] = values[b & 15];
        }
        var table = tensor(pairs, ScalarType.Float32, packed.device).view(256, 2);
        return table.index_select(0, packed.flatten().to(ScalarType.Int64)).view(-1).MoveToOuterDisposeScope();
    }

    SearchGrid? BuildGrid()
    {
        const double width = 1.0 / CellsPerUnit;
        if (upperBounds.Zip(upperBounds.Skip(1), (a, b) => b - (double)a).Any(gap => gap <= width)) return null;
        int cells = 2 * CellsPerUnit + 1;   // the last one holds x = 1 alone
        var bound = new float[cells];
        var below = new byte[cells];
        var above = new byte[cells];
        for (int k = 0; k < cells; k++)
        {
            double start = (k - CellsPerUnit) * width;
            int rank = upperBounds.Count(b => b < start);
            int inside = Array.FindIndex(upperBounds, b => b >= start && b < start + width);
            bound[k] = inside < 0 ? float.PositiveInfinity : upperBounds[inside];
            below[k] = codeOfRank[rank];
            above[k] = codeOfRank[Math.Min(rank + 1, codeOfRank.Length - 1)];
        }
        return new SearchGrid(bound, below, above);
    }

    static float FloatAtOrBelow(double x)
    {
        float f = (float)x;
        return f > x ? MathF.BitDecrement(f) : f;
    }

    static float[] DynamicMap()
    {
        var data = new List<double> { 0.0, 1.0 };
        for (int i = 0; i < 7; i++)
        {
            int count = 1 << i;
            double decade = Math.Pow(10, i - 6);
            for (int j = 0; j < count; j++)
            {
                double mean = 0.1 + (j + 0.5) * 0.9 / count;   // midpoint of the j-th interval of linspace(0.1, 1, count + 1)
                data.Add(decade * mean);
                data.Add(-decade * mean);
            }
        }
        return data.Order().Select(v => (float)v).ToArray();
    }
}
