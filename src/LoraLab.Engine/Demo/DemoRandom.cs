using LoraLab.Engine.Data;

namespace LoraLab.Engine.Demo;

/// <summary>Choices for the demo grammars, drawn from <see cref="SplitMix64"/> so the demo data is the same on every machine.</summary>
public sealed class DemoRandom(ulong seed)
{
    SplitMix64 source = new(seed);

    /// <summary>Uniform in [0, n).</summary>
    public int Next(int n) => (int)source.NextBelow((ulong)n);

    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}
