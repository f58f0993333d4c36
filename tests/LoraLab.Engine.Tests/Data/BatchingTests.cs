using LoraLab.Engine.Training;
using LoraLab.Engine.Data;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Data;

public class BatchingTests
{
    const int Pad = 0;

    [Fact]
    public void Rows_are_right_padded_to_the_longest_with_padding_masked_and_ignored_by_the_loss()
    {
        TrainingExample longer = new([1, 2, 3], [-100, 2, 3]);
        TrainingExample shorter = new([4, 5], [4, 5]);

        var batch = BatchCollator.Collate([longer, shorter], Pad);

        Assert.Equal((2, 3), (batch.Rows, batch.Length));
        Assert.Equal([1, 2, 3, 4, 5, Pad], batch.InputIds);
        Assert.Equal([-100, 2, 3, 4, 5, -100], batch.Labels);
        Assert.Equal([1, 1, 1, 1, 1, 0], batch.KeyIsReal);
        Assert.Null(batch.SegmentIds!);
        Assert.Null(batch.Positions!);
    }

    [Fact]
    public void A_batch_with_a_packed_row_gives_every_row_segments_and_positions()
    {
        TrainingExample packed = new([1, 2, 3, 4], [-100, 2, -100, 4], [0, 0, 1, 1], [0, 1, 0, 1]);
        TrainingExample single = new([5, 6, 7], [5, 6, 7]);

        var batch = BatchCollator.Collate([packed, single], Pad);

        Assert.Equal([0, 0, 1, 1, 0, 0, 0, -1], batch.SegmentIds!);
        Assert.Equal([0, 1, 0, 1, 0, 1, 2, 0], batch.Positions!);
    }

    [Fact]
    public void A_packed_batch_becomes_int64_tensors_and_a_block_diagonal_mask()
    {
        TrainingExample packed = new([1, 2, 3], [-100, 2, -100], [0, 0, 1], [0, 1, 0]);
        TrainingExample single = new([5], [5]);

        var batch = BatchCollator.Collate([packed, single], Pad).ToTensors(CPU);

        Assert.Equal([2L, 3], batch.InputIds.shape);
        Assert.Equal(ScalarType.Int64, batch.Labels.dtype);
        Assert.Equal(new long[] { 1, 2, 3, 5, Pad, Pad }, batch.InputIds.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 1, 1, 1, 0, 0 }, batch.KeyIsReal!.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1, 0, 0, 0, 0 }, batch.Positions!.data<long>().ToArray());
        bool[] expectedMask =
        [
            true,  false, false,   // row 0: segments 0, 0, 1
            true,  true,  false,
            false, false, true,
            true,  false, false,   // row 1: segment 0, then padding
            false, true,  false,
            false, true,  true,
        ];
        Assert.Equal([2L, 1, 3, 3], batch.AttentionMask!.shape);
        using var mask = batch.AttentionMask.contiguous();
        Assert.Equal(expectedMask, mask.data<bool>().ToArray());
    }

    [Fact]
    public void An_unpacked_unpadded_batch_has_no_mask_positions_or_padding_marks()
    {
        var batch = BatchCollator.Collate([new TrainingExample([1, 2], [1, 2])], Pad).ToTensors(CPU);

        Assert.Null(batch.AttentionMask);
        Assert.Null(batch.Positions);
        Assert.Null(batch.KeyIsReal);
    }

    static TrainingExample[] Numbered(int count) => Enumerable.Range(0, count).Select(i => new TrainingExample([i], [i])).ToArray();

    [Fact]
    public void Each_epoch_serves_every_example_once_in_its_own_seeded_order()
    {
        var batcher = new TrainingBatcher(Numbered(10), batchSize: 4, seed: 3, Pad);

        var epoch0 = Enumerable.Range(0, (int)batcher.BatchesPerEpoch).SelectMany(b => batcher.Collate(0, b).InputIds).ToList();
        var epoch1 = Enumerable.Range(0, (int)batcher.BatchesPerEpoch).SelectMany(b => batcher.Collate(1, b).InputIds).ToList();

        Assert.Equal(3, batcher.BatchesPerEpoch);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), epoch0.Order());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), epoch1.Order());
        Assert.NotEqual(epoch0, epoch1);
        Assert.Equal(epoch0, new TrainingBatcher(Numbered(10), batchSize: 4, seed: 3, Pad).Order(0).Select(i => (long)i));
        Assert.Equal(2, batcher.Collate(0, 2).Rows);
    }

    [Fact]
    public void Resuming_at_an_epoch_and_batch_serves_exactly_the_batches_an_uninterrupted_run_would()
    {
        var batcher = new TrainingBatcher(Numbered(10), batchSize: 3, seed: 11, Pad);
        var uninterrupted = Enumerable.Range(0, (int)batcher.BatchesPerEpoch).Select(b => batcher.Collate(2, b).InputIds).ToList();

        var resumed = Enumerable.Range(2, (int)batcher.BatchesPerEpoch - 2)
            .Select(b => batcher.Read(new BatchPosition(2, b)).InputIds.data<long>().ToArray()).ToList();

        Assert.Equal(uninterrupted.Skip(2), resumed);
    }
}
