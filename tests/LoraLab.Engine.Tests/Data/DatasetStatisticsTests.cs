using LoraLab.Engine.Data;

namespace LoraLab.Engine.Tests.Data;

public class DatasetStatisticsTests
{
    static EncodedExample Example(int length, int completion, bool truncated = false) =>
        new(1, new int[length], Enumerable.Range(0, length).Select(i => i >= length - completion).ToArray(), truncated);

    [Fact]
    public void Statistics_of_a_small_set_equal_the_hand_computed_values()
    {
        EncodedExample[] examples = [Example(10, 4, truncated: true), Example(3, 1), Example(8, 3), Example(5, 2)];

        var statistics = DatasetStatistics.Compute(examples, maxLength: 16, buckets: 4);

        Assert.Equal(4, statistics.Records);
        Assert.Equal(26, statistics.Tokens);
        Assert.Equal(16, statistics.PromptTokens);
        Assert.Equal(10, statistics.CompletionTokens);
        Assert.Equal(1, statistics.Truncated);
        Assert.Equal(6.5, statistics.MeanLength);
        Assert.Equal(6.5, statistics.MedianLength);   // (5 + 8) / 2
        Assert.Equal(10, statistics.MaxLength);
        Assert.Equal([new LengthBucket(1, 4, 1), new LengthBucket(5, 8, 2), new LengthBucket(9, 12, 1), new LengthBucket(13, 16, 0)], statistics.Histogram);
    }

    [Fact]
    public void The_default_histogram_has_sixteen_buckets_up_to_the_maximum_length()
    {
        var statistics = DatasetStatistics.Compute([Example(1, 1), Example(1024, 1)], maxLength: 1024);

        Assert.Equal(16, statistics.Histogram.Count);
        Assert.Equal(new LengthBucket(1, 64, 1), statistics.Histogram[0]);
        Assert.Equal(new LengthBucket(961, 1024, 1), statistics.Histogram[^1]);
        Assert.Equal(512.5, statistics.MedianLength);
    }
}
