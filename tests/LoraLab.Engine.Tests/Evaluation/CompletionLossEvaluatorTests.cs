using LoraLab.Engine.Data;
using LoraLab.Engine.Evaluation;
using LoraLab.Engine.Tests.Models;

namespace LoraLab.Engine.Tests.Evaluation;

public class CompletionLossEvaluatorTests
{
    const int Ignore = TrainingExample.IgnoreLabel;

    [Theory]
    [InlineData(8)]
    [InlineData(1)]
    public void The_loss_counts_only_labelled_tokens_as_a_float64_reference_does(int batchSize)
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        TrainingExample[] examples =
        [
            new([1, 2, 3, 4, 5, 6, 7], [Ignore, Ignore, Ignore, 4, 5, 6, 7]),
            new([9, 8, 30], [Ignore, Ignore, 30]),
            new([40, 41, 42, 43], [Ignore, Ignore, Ignore, Ignore]),   // nothing to predict: left out
            new([11, 12, 13, 14, 15], [Ignore, 12, Ignore, 14, Ignore]),
        ];
        var reference = new ReferenceDecoder(lm);
        double nll = 0;
        int tokens = 0;
        foreach (var e in examples)
        {
            var logits = reference.Logits(e.InputIds);
            for (int t = 0; t + 1 < e.Length; t++)
            {
                if (e.Labels[t + 1] == Ignore) continue;
                double max = logits[t].Max();
                nll += max + Math.Log(logits[t].Sum(z => Math.Exp(z - max))) - logits[t][e.Labels[t + 1]];
                tokens++;
            }
        }

        var result = CompletionLossEvaluator.Evaluate(lm, examples, batchSize: batchSize);

        Assert.Equal((4 + 1 + 2, 3), (tokens, result.Sequences));
        Assert.Equal(tokens, result.Tokens);
        Assert.Equal(nll / tokens, result.Loss, 4);
        Assert.Equal(Math.Exp(nll / tokens), result.Perplexity, 3);
    }

    [Fact]
    public void Examples_without_a_labelled_token_are_refused()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var e = Assert.Throws<ArgumentException>(() => CompletionLossEvaluator.Evaluate(lm, [new([1, 2], [Ignore, Ignore])]));
        Assert.StartsWith("No example has a labelled token to predict.", e.Message);
    }
}
