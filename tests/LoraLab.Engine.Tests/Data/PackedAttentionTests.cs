using LoraLab.Engine.Data;
using LoraLab.Engine.Models;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Data;

public class PackedAttentionTests
{
    [Fact]
    public void The_tensor_mask_equals_the_pure_mask_of_each_row()
    {
        int[][] rows = [[0, 0, 1, 1, 1, -1], [0, 1, 1, 2, 2, 2]];
        using var segments = tensor(rows.SelectMany(r => r.Select(s => (long)s)).ToArray(), [2, 6]);

        using var mask = PackedAttentionMask.ForBatch(segments);   // (2, 1, 6, 6)

        Assert.Equal([2L, 1, 6, 6], mask.shape);
        for (int b = 0; b < rows.Length; b++)
        {
            var expected = PackedAttentionMask.Build(rows[b]);
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 6; j++)
                    Assert.Equal(expected[i, j], mask[b, 0, i, j].item<bool>());
        }
    }

    [Theory]
    [MemberData(nameof(TinyModels.Families), MemberType = typeof(TinyModels))]
    public void Each_example_of_a_packed_batch_gets_the_logits_it_gets_alone(string family)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        int[][] parts = [[3, 14, 15, 9, 2], [6, 5, 35], [8, 9, 7, 9]];
        var packed = SequencePacker.Pack(parts.Select(p => new TrainingExample(p, p)).ToList(), maxLength: 12).Single();
        var collated = BatchCollator.Collate([packed], padId: 0);

        var batch = collated.ToTensors(CPU);
        using var logits = lm.Forward(batch.InputIds, batch.Positions, attentionMask: batch.AttentionMask);   // (1, 12, V)

        var segments = packed.SegmentIds!;
        int offset = 0;
        foreach (var part in segments.Distinct().Select(s => packed.InputIds.Where((_, i) => segments[i] == s).ToArray()))
        {
            using var alone = lm.Forward(tensor(part.Select(t => (long)t).ToArray(), [1, part.Length]));   // (1, L, V)
            Assert.True(allclose(logits[0].narrow(0, offset, part.Length), alone[0], rtol: 0, atol: 1e-5), $"segment at {offset} differs");
            offset += part.Length;
        }
    }

    [Fact]
    public void An_attention_mask_of_the_wrong_shape_is_refused_naming_both_shapes()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        using var ids = tensor(new long[] { 1, 2, 3 }, [1, 3]);
        using var mask = ones(1, 1, 3, 4, ScalarType.Bool);

        var error = Assert.Throws<ArgumentException>(() => lm.Forward(ids, attentionMask: mask));

        Assert.Contains("attentionMask must be a bool tensor of shape (1, 1, 3, 3), or 1 on the first axis, not (1, 1, 3, 4) Bool", error.Message);
    }
}
