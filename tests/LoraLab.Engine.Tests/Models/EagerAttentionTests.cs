using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Models;

public class EagerAttentionTests
{
    const int Batch = 2, Heads = 4, KvHeads = 2, HeadDim = 8;

    /// <summary>
    /// Attention written head by head in float64: query head h reads KV head h / (Heads / KvHeads), scores q·kᵀ/√d,
    /// −∞ where the mask forbids, softmax, times v.
    /// </summary>
    static Tensor Reference(Tensor q, Tensor k, Tensor v, Tensor allowed)
    {
        var heads = new List<Tensor>();
        for (int h = 0; h < Heads; h++)
        {
            int kv = h / (Heads / KvHeads);
            var scores = q.select(1, h).matmul(k.select(1, kv).transpose(1, 2)) / Math.Sqrt(HeadDim);   // (B, T, Tk)
            scores = scores.masked_fill(allowed.squeeze(1).logical_not(), double.NegativeInfinity);
            heads.Add(scores.softmax(-1).matmul(v.select(1, kv)));                                       // (B, T, hD)
        }
        return stack(heads, 1);                                                                           // (B, nH, T, hD)
    }

    static (Tensor Q, Tensor K, Tensor V) Inputs(long queries, long keys)
    {
        var g = new Generator(3);
        return (randn([Batch, Heads, queries, HeadDim], ScalarType.Float64, generator: g).requires_grad_(true),
                randn([Batch, KvHeads, keys, HeadDim], ScalarType.Float64, generator: g).requires_grad_(true),
                randn([Batch, KvHeads, keys, HeadDim], ScalarType.Float64, generator: g).requires_grad_(true));
    }

    static void AssertSameOutputAndGradients(Func<Tensor, Tensor, Tensor, Tensor> actual, Func<Tensor, Tensor, Tensor, Tensor> expected, long queries, long keys)
    {
        var (q1, k1, v1) = Inputs(queries, keys);
        var (q2, k2, v2) = Inputs(queries, keys);
        var upstream = randn([Batch, Heads, queries, HeadDim], ScalarType.Float64, generator: new Generator(4));

        var y1 = actual(q1, k1, v1);
        var y2 = expected(q2, k2, v2);
        (y1 * upstream).sum().backward();
        (y2 * upstream).sum().backward();

        Assert.True(y1.allclose(y2, rtol: 1e-10, atol: 1e-12), "outputs differ");
        foreach (var (a, b, name) in new[] { (q1, q2, "q"), (k1, k2, "k"), (v1, v2, "v") })
            Assert.True(a.grad!.allclose(b.grad!, rtol: 1e-10, atol: 1e-12), $"gradients of {name} differ");
    }

    [Fact]
    public void Causal_grouped_query_attention_and_its_gradients_match_a_head_by_head_reference()
    {
        const int T = 7;   // odd: the two halves of the queries differ in length
        var causal = ones(T, T, ScalarType.Bool).tril().view(1, 1, T, T);

        AssertSameOutputAndGradients((q, k, v) => EagerAttention.Forward(q, k, v, mask: null), (q, k, v) => Reference(q, k, v, causal), T, T);
    }

    [Fact]
    public void A_padding_mask_over_cached_keys_is_applied_as_the_reference_applies_it()
    {
        const int T = 3, past = 2;
        var keyIsReal = tensor(new long[,] { { 1, 1, 1, 1, 1 }, { 0, 1, 1, 1, 1 } });                        // (B, past + T)
        var mask = AttentionMask.Build(Batch, T, past, keyIsReal, slidingWindow: null, CPU)!;                  // (B, 1, T, past + T)

        AssertSameOutputAndGradients((q, k, v) => EagerAttention.Forward(q, k, v, mask), (q, k, v) => Reference(q, k, v, mask), T, past + T);
    }
}
