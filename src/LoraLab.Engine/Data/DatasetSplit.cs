namespace LoraLab.Engine.Data;

/// <summary>How many records to hold out for validation: a fraction of the records or a count.</summary>
public sealed record ValidationSplit
{
    ValidationSplit(double? fraction, int? count) => (FractionOfRecords, CountOfRecords) = (fraction, count);

    public double? FractionOfRecords { get; }
    public int? CountOfRecords { get; }

    public static ValidationSplit Fraction(double fraction) =>
        fraction > 0 && fraction < 1 ? new(fraction, null) : throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the validation fraction must be between 0 and 1, exclusive");

    public static ValidationSplit Count(int count) =>
        count > 0 ? new(null, count) : throw new ArgumentOutOfRangeException(nameof(count), count, "the validation count must be positive");

    /// <summary>The number held out of <paramref name="total"/>: a fraction rounds to the nearest count, at least 1.</summary>
    public int Of(int total)
    {
        int count = CountOfRecords ?? Math.Max(1, (int)Math.Round(total * FractionOfRecords!.Value, MidpointRounding.AwayFromZero));
        if (count >= total)
            throw new ArgumentException($"a validation split of {Describe()} leaves no training record out of {total}");
        return count;
    }

    string Describe() => CountOfRecords is int c ? $"{c} records" : $"{FractionOfRecords:0.###}";
}

/// <summary>A seeded, machine-independent split into training and validation items.</summary>
public static class DatasetSplit
{
    /// <summary>
    /// Shuffles the indices with <see cref="SplitMix64"/> seeded by <paramref name="seed"/> and holds out the first ones;
    /// both parts keep the original order.
    /// </summary>
    public static (IReadOnlyList<T> Train, IReadOnlyList<T> Validation) Split<T>(IReadOnlyList<T> items, ValidationSplit split, ulong seed)
    {
        int held = split.Of(items.Count);
        var order = SplitMix64.Permutation(items.Count, seed);
        var validation = order.Take(held).ToHashSet();
        var train = Enumerable.Range(0, items.Count).Where(i => !validation.Contains(i)).Select(i => items[i]).ToList();
        return (train, validation.Order().Select(i => items[i]).ToList());
    }
}
