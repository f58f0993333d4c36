using LoraLab.Engine.Data;

namespace LoraLab.Engine.Tests.Data;

public class SequencePackerTests
{
    [Fact]
    public void Best_fit_decreasing_puts_each_example_into_the_fullest_sequence_with_room()
    {
        // Longest first: 6 opens A (2 free), 5 opens B (3 free), 4 opens C (4 free), 3 fills B, 2 fills A.
        var plan = SequencePacker.Plan([5, 3, 4, 2, 6], maxLength: 8);

        Assert.Equal([[3, 4], [0, 1], [2]], plan);
    }

    [Fact]
    public void An_example_longer_than_the_maximum_cannot_be_packed()
    {
        var error = Assert.Throws<ArgumentException>(() => SequencePacker.Plan([3, 9], maxLength: 8));

        Assert.Contains("example 1 has 9 tokens; packing takes 1 to 8", error.Message);
    }

    [Fact]
    public void A_packed_sequence_restarts_positions_per_example_and_never_learns_one_example_from_the_previous()
    {
        TrainingExample first = new([10, 11, 12], [-100, 11, 12]);
        TrainingExample second = new([20, 21], [20, 21]);

        var packed = SequencePacker.Pack([first, second], maxLength: 5).Single();

        Assert.Equal([10, 11, 12, 20, 21], packed.InputIds);
        Assert.Equal([-100, 11, 12, -100, 21], packed.Labels);
        Assert.Equal([0, 0, 0, 1, 1], packed.SegmentIds!);
        Assert.Equal([0, 1, 2, 0, 1], packed.Positions!);
    }

    [Fact]
    public void The_mask_of_packed_segments_is_block_diagonal_and_causal()
    {
        bool[,] expected =
        {
            { true,  false, false, false, false, false },
            { true,  true,  false, false, false, false },
            { false, false, true,  false, false, false },
            { false, false, true,  true,  false, false },
            { false, false, true,  true,  true,  false },
            { false, false, false, false, false, true  },
        };

        var mask = PackedAttentionMask.Build([0, 0, 1, 1, 1, BatchCollator.PaddingSegment]);

        Assert.Equal(expected, mask);
    }
}
