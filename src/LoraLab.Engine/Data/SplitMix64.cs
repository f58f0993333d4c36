namespace LoraLab.Engine.Data;

/// <summary>
/// Sebastiano Vigna's SplitMix64 generator (https://prng.di.unimi.it/splitmix64.c): a documented algorithm, so a seed
/// gives the same shuffles on every machine and .NET version, unlike System.Random whose algorithm is unspecified.
/// </summary>
public struct SplitMix64(ulong seed)
{
    ulong state = seed;

    public ulong Next()
    {
        state += 0x9E3779B97F4A7C15;
        return Mix(state);
    }

    /// <summary>A uniform integer in [0, bound), without modulo bias: draws above the last whole multiple of bound are redrawn.</summary>
    public ulong NextBelow(ulong bound)
    {
        if (bound == 0) throw new ArgumentOutOfRangeException(nameof(bound), bound, "the bound must be positive");
        ulong limit = ulong.MaxValue - (ulong.MaxValue % bound + 1) % bound;   // draws ≤ limit cover whole multiples of bound
        ulong draw;
        do draw = Next(); while (draw > limit);
        return draw % bound;
    }

    /// <summary>The finaliser of SplitMix64: a bijective hash of 64 bits, used to derive independent seeds.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>A Fisher–Yates shuffle of 0 … count − 1.</summary>
    public static int[] Permutation(int count, ulong seed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var random = new SplitMix64(seed);
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)random.NextBelow((ulong)i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
