namespace LoraLab.Engine.Data;

/// <summary>
/// Packs short examples into sequences of at most the maximum length, so that a batch holds little padding.
/// Attention stays within each example: the packed sequence carries segment ids (for
/// <see cref="PackedAttentionMask"/>) and positions restarting at 0 for each example, so every example is computed
/// exactly as it would be alone.
/// </summary>
public static class SequencePacker
{
    /// <summary>
    /// Best-fit decreasing: the longest example first, each into the fullest sequence that still has room for it.
    /// Deterministic (ties go to the earlier example and the earlier sequence); examples keep their file order within a sequence.
    /// </summary>
    /// <returns>The example indices of each packed sequence.</returns>
    public static IReadOnlyList<int[]> Plan(IReadOnlyList<int> lengths, int maxLength)
    {
        for (int i = 0; i < lengths.Count; i++)
        {
            if (lengths[i] < 1 || lengths[i] > maxLength)
                throw new ArgumentException($"example {i} has {lengths[i]} tokens; packing takes 1 to {maxLength}", nameof(lengths));
        }
        var bins = new List<List<int>>();
        var room = new SortedSet<(int Free, int Bin)>();
        foreach (int example in Enumerable.Range(0, lengths.Count).OrderByDescending(i => lengths[i]).ThenBy(i => i))
        {
            int length = lengths[example];
            var fits = room.GetViewBetween((length, int.MinValue), (int.MaxValue, int.MaxValue));
            if (fits.Count > 0)
            {
                var (free, bin) = fits.Min;
                room.Remove((free, bin));
                bins[bin].Add(example);
                if (free > length) room.Add((free - length, bin));
            }
            else
            {
                bins.Add([example]);
                if (maxLength > length) room.Add((maxLength - length, bins.Count - 1));
            }
        }
        return bins.Select(b => b.Order().ToArray()).ToList();
    }

    /// <summary>
    /// The packed sequences. The label of each example's first token is <see cref="TrainingExample.IgnoreLabel"/>, so that
    /// the end of one example is never trained to predict the start of the next.
    /// </summary>
    public static IReadOnlyList<TrainingExample> Pack(IReadOnlyList<TrainingExample> examples, int maxLength)
    {
        if (examples.Any(e => e.IsPacked)) throw new ArgumentException("the examples are packed already", nameof(examples));
        return Plan(examples.Select(e => e.Length).ToList(), maxLength).Select(bin => Concatenate(bin.Select(i => examples[i]).ToList())).ToList();
    }

    static TrainingExample Concatenate(IReadOnlyList<TrainingExample> parts)
    {
        var ids = new List<int>();
        var labels = new List<int>();
        var segments = new List<int>();
        var positions = new List<int>();
        for (int segment = 0; segment < parts.Count; segment++)
        {
            var part = parts[segment];
            ids.AddRange(part.InputIds);
            labels.Add(TrainingExample.IgnoreLabel);
            labels.AddRange(part.Labels.Skip(1));
            segments.AddRange(Enumerable.Repeat(segment, part.Length));
            positions.AddRange(Enumerable.Range(0, part.Length));
        }
        return new TrainingExample([.. ids], [.. labels], [.. segments], [.. positions]);
    }
}
