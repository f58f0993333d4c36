namespace LoraLab.Engine.Demo;

/// <summary>
/// SplitMix64 (Steele, Lea &amp; Flood 2014): a tiny, fully specified generator, so the demo corpus and datasets are
/// the same bytes on every machine and .NET version (System.Random's algorithm is not part of its contract).
/// </summary>
public sealed class DemoRandom(ulong seed)
{
    ulong state = seed;

    public ulong NextUInt64()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, n), without modulo bias worth caring about for n ≪ 2⁶⁴.</summary>
    public int Next(int n) => (int)(NextUInt64() % (ulong)n);

    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public bool Chance(double p) => (NextUInt64() >> 11) * (1.0 / (1UL << 53)) < p;
}
