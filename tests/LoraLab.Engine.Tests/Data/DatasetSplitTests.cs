using LoraLab.Engine.Data;

namespace LoraLab.Engine.Tests.Data;

public class DatasetSplitTests
{
    static readonly IReadOnlyList<string> Items = Enumerable.Range(0, 10).Select(i => $"r{i}").ToList();

    [Fact]
    public void The_same_seed_holds_out_the_same_records_in_file_order()
    {
        // The permutation for seed 42 begins 0, 9, 5 (see SplitMix64Tests).
        var (train, validation) = DatasetSplit.Split(Items, ValidationSplit.Count(3), seed: 42);

        Assert.Equal(["r0", "r5", "r9"], validation);
        Assert.Equal(["r1", "r2", "r3", "r4", "r6", "r7", "r8"], train);
    }

    [Fact]
    public void The_two_parts_are_disjoint_and_together_hold_every_record()
    {
        var (train, validation) = DatasetSplit.Split(Items, ValidationSplit.Fraction(0.3), seed: 5);

        Assert.Empty(train.Intersect(validation));
        Assert.Equal(Items, train.Concat(validation).Order());
    }

    [Fact]
    public void Different_seeds_hold_out_different_records()
    {
        var splits = Enumerable.Range(0, 4).Select(seed => string.Join(",", DatasetSplit.Split(Items, ValidationSplit.Count(3), (ulong)seed).Validation)).ToList();

        Assert.Equal(4, splits.Distinct().Count());
    }

    [Theory]
    [InlineData(0.25, 3)]   // 2.5 rounds away from zero
    [InlineData(0.01, 1)]   // never less than one
    [InlineData(0.5, 5)]
    public void A_fraction_rounds_to_the_nearest_count(double fraction, int expected)
    {
        Assert.Equal(expected, ValidationSplit.Fraction(fraction).Of(10));
    }

    [Fact]
    public void A_split_that_leaves_nothing_to_train_on_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => DatasetSplit.Split(Items, ValidationSplit.Count(10), seed: 1));

        Assert.Equal("a validation split of 10 records leaves no training record out of 10", error.Message);
    }
}
