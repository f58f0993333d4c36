namespace LoraLab.Engine.Data;

/// <summary>Examples whose length in tokens lies in From … To, inclusive.</summary>
public sealed record LengthBucket(int From, int To, int Count);

/// <summary>The size and shape of the examples of a dataset, before packing.</summary>
/// <param name="PromptTokens">Tokens the model reads but does not learn to produce.</param>
/// <param name="CompletionTokens">Tokens of assistant turns, outputs, completions and raw text.</param>
/// <param name="Truncated">Examples cut to the maximum length.</param>
/// <param name="Histogram">Lengths in at most the requested number of equal buckets, from 1 to the maximum length.</param>
public sealed record DatasetStatistics(
    int Records, long Tokens, long PromptTokens, long CompletionTokens, int Truncated,
    double MeanLength, double MedianLength, int MaxLength, IReadOnlyList<LengthBucket> Histogram)
{
    public const int DefaultBuckets = 16;

    /// <param name="maxLength">The maximum length the examples were fitted to: the histogram's range.</param>
    public static DatasetStatistics Compute(IReadOnlyList<EncodedExample> examples, int maxLength, int buckets = DefaultBuckets)
    {
        if (buckets < 1) throw new ArgumentOutOfRangeException(nameof(buckets), buckets, "at least one bucket");
        var lengths = examples.Select(e => e.Length).Order().ToArray();
        long tokens = lengths.Sum(l => (long)l);
        long completion = examples.Sum(e => (long)e.CompletionTokens);
        return new DatasetStatistics(
            examples.Count, tokens, tokens - completion, completion, examples.Count(e => e.Truncated),
            lengths.Length == 0 ? 0 : (double)tokens / lengths.Length,
            Median(lengths),
            lengths.Length == 0 ? 0 : lengths[^1],
            Buckets(lengths, Math.Max(maxLength, lengths.LastOrDefault()), buckets));
    }

    static double Median(int[] sorted) => sorted.Length switch
    {
        0 => 0,
        int n when n % 2 == 1 => sorted[n / 2],
        int n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    };

    /// <summary>Buckets of width ⌈range / buckets⌉ starting at 1; the last one ends at the range.</summary>
    static IReadOnlyList<LengthBucket> Buckets(int[] lengths, int range, int buckets)
    {
        int width = Math.Max(1, (range + buckets - 1) / buckets);
        var result = new List<LengthBucket>();
        for (int from = 1; from <= range; from += width)
        {
            int to = Math.Min(range, from + width - 1);
            result.Add(new LengthBucket(from, to, lengths.Count(l => l >= from && l <= to)));
        }
        return result;
    }
}
