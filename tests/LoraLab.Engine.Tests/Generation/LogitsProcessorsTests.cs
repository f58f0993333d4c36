using LoraLab.Engine.Generation;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Generation;

public class LogitsProcessorsTests
{
    const float NegInf = float.NegativeInfinity;

    static float[] Row(Tensor t) => t.data<float>().ToArray();

    [Fact]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_logits_of_seen_tokens_only()
    {
        using var logits = tensor(new float[] { 2, -2, 3, -1 }).unsqueeze(0);   // (1, 4)
        using var seen = tensor(new[] { true, true, false, false }).unsqueeze(0);

        using var penalised = LogitsProcessors.RepetitionPenalty(logits, seen, 2.0);

        Assert.Equal([1f, -4f, 3f, -1f], Row(penalised));
    }

    [Fact]
    public void Logit_bias_adds_to_the_named_columns_of_every_row_and_refuses_an_id_past_the_vocabulary()
    {
        using var logits = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).view(2, 3);

        using var biased = LogitsProcessors.Bias(logits, new Dictionary<int, double> { [0] = -100, [2] = 0.5 });
        var outside = Assert.Throws<ArgumentException>(() => LogitsProcessors.Bias(logits, new Dictionary<int, double> { [3] = 1 }));

        Assert.Equal([-99f, 2f, 3.5f, -96f, 5f, 6.5f], Row(biased));
        Assert.Contains("token 3", outside.Message);
    }

    [Fact]
    public void Temperature_divides_the_logits()
    {
        using var logits = tensor(new float[] { 1, -2 }).unsqueeze(0);

        using var warmed = LogitsProcessors.Temperature(logits, 0.5);

        Assert.Equal([2f, -4f], Row(warmed));
    }

    [Fact]
    public void Top_k_keeps_the_k_highest_logits_and_those_tied_with_the_kth()
    {
        using var logits = tensor(new float[] { 1, 3, 2, 0, 2, -1, 3, 0 }).view(2, 4);

        using var kept = LogitsProcessors.TopK(logits, 2);

        Assert.Equal([NegInf, 3f, 2f, NegInf, 2f, NegInf, 3f, NegInf], Row(kept));
        using var tied = LogitsProcessors.TopK(tensor(new float[] { 2, 2, 2, 1 }).unsqueeze(0), 2);
        Assert.Equal([2f, 2f, 2f, NegInf], Row(tied));
    }

    [Fact]
    public void Top_k_larger_than_the_vocabulary_keeps_everything()
    {
        using var logits = tensor(new float[] { 1, 3, 2 }).unsqueeze(0);

        using var kept = LogitsProcessors.TopK(logits, 10);

        Assert.Equal([1f, 3f, 2f], Row(kept));
    }

    [Fact]
    public void Top_p_0_8_keeps_the_tokens_whose_probabilities_reach_it_in_each_row()
    {
        // Row 0: probabilities 0.5, 0.3, 0.15, 0.05; sorted ascending the cumulative sums are 0.05, 0.2, 0.5, 1, and
        // transformers removes those <= 1 - 0.8, so 0.5 and 0.3 remain. Row 1 is the same distribution permuted.
        using var probabilities = tensor(new float[] { 0.5f, 0.3f, 0.15f, 0.05f, 0.05f, 0.15f, 0.5f, 0.3f }).view(2, 4);
        using var logits = probabilities.log();

        using var kept = LogitsProcessors.TopP(logits, 0.8);

        var row = Row(kept);
        Assert.Equal([false, false, true, true, true, true, false, false], row.Select(float.IsNegativeInfinity).ToArray());
        Assert.Equal(MathF.Log(0.5f), row[0], 6);
        Assert.Equal(MathF.Log(0.3f), row[7], 6);
    }

    [Fact]
    public void Top_p_always_keeps_the_most_probable_token()
    {
        using var logits = tensor(new float[] { 0.1f, 0.4f, 0.2f }).unsqueeze(0);

        using var kept = LogitsProcessors.TopP(logits, 1e-6);

        Assert.Equal([NegInf, 0.4f, NegInf], Row(kept));
    }

    [Fact]
    public void Sampling_from_what_top_p_leaves_of_a_peaked_distribution_always_picks_its_peak()
    {
        var options = new SamplingOptions { TopP = 0.5, Seed = 3 };
        using var sampler = new TokenSampler(options, CPU);
        using var logits = tensor(new float[] { 0, 0, 5, 0, 1 }).unsqueeze(0).expand(64, 5);   // p(2) ≈ 0.96

        using var next = sampler.Next(logits, seen: null);

        Assert.All(next.data<long>().ToArray(), id => Assert.Equal(2L, id));
    }
}
