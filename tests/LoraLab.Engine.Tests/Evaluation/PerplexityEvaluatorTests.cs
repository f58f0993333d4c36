using LoraLab.Engine.Evaluation;
using LoraLab.Engine.Tests.Models;

namespace LoraLab.Engine.Tests.Evaluation;

public class PerplexityEvaluatorTests
{
    static double ReferenceNll(ReferenceDecoder reference, int[] ids, out int predicted)
    {
        var logits = reference.Logits(ids);
        double nll = 0;
        for (int t = 0; t + 1 < ids.Length; t++)
        {
            double max = logits[t].Max();
            double logSumExp = max + Math.Log(logits[t].Sum(z => Math.Exp(z - max)));
            nll += logSumExp - logits[t][ids[t + 1]];
        }
        predicted = ids.Length - 1;
        return nll;
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(8)]
    public void The_loss_is_the_token_weighted_mean_cross_entropy_of_a_float64_reference(int tokensPerBatch)
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        int[][] records = [[1, 2, 3, 4, 5, 6, 7], [9, 8], [40, 41, 42, 43], [5]];
        var reference = new ReferenceDecoder(lm);
        double nll = 0;
        int tokens = 0;
        foreach (var r in records.Where(r => r.Length > 1))
        {
            nll += ReferenceNll(reference, r, out int n);
            tokens += n;
        }

        var result = PerplexityEvaluator.Evaluate(lm, records, tokensPerBatch);

        Assert.Equal(6 + 1 + 3, result.Tokens);
        Assert.Equal(tokens, result.Tokens);
        Assert.Equal(nll / tokens, result.Loss, 4);
        Assert.Equal(Math.Exp(nll / tokens), result.Perplexity, 3);
    }

    [Fact]
    public void A_record_longer_than_the_context_is_named()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var e = Assert.Throws<ArgumentException>(() => PerplexityEvaluator.Evaluate(lm, [[1, 2], Enumerable.Range(0, 200).ToArray()]));
        Assert.Contains("Record 2 has 200 tokens", e.Message);
    }
}
