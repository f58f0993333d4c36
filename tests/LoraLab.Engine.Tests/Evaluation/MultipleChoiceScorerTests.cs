using LoraLab.Engine.Devices;
using LoraLab.Engine.Evaluation.Benchmarks;
using LoraLab.Engine.Tests.Interop;
using LoraLab.Engine.Tests.Models;

namespace LoraLab.Engine.Tests.Evaluation;

public sealed class MultipleChoiceScorerTests
{
    [Fact]
    public void Normalised_accuracy_divides_by_the_choice_length_in_characters_and_ties_go_to_the_first()
    {
        // Raw: −5 beats −6. Per character: −5/1 = −5 loses to −6/6 = −1.
        Assert.Equal((true, false), MultipleChoiceScorer.Judge([-5, -6], ["a", "bbbbbb"], answer: 0));
        Assert.Equal((false, true), MultipleChoiceScorer.Judge([-5, -6], ["a", "bbbbbb"], answer: 1));
        Assert.Equal((true, true), MultipleChoiceScorer.Judge([-2, -2], ["ab", "cd"], answer: 0));
    }

    [Fact]
    public void Trailing_spaces_of_the_context_move_into_the_continuation_as_lm_eval_encodes_pairs()
    {
        var tokenizer = Engine.Tokenization.TokenizerLoader.Load(HuggingFaceFixtures.ModelFolder("llama"));

        var (context, continuation) = MultipleChoiceScorer.EncodePair(tokenizer, "The quick ", "fox");

        Assert.Equal(tokenizer.Encode("The quick", addSpecialTokens: false), context);
        var whole = tokenizer.Encode("The quick fox", addSpecialTokens: false);
        Assert.Equal(whole.Skip(context.Count), continuation);
    }

    /// <summary>Each choice's log-likelihood is the float64 reference decoder's, summed over the choice's tokens.</summary>
    [Fact]
    public void Log_likelihoods_of_batched_choices_are_those_of_the_reference_decoder_on_each_sequence_alone()
    {
        using var lm = LanguageModel.Open(HuggingFaceFixtures.ModelFolder("llama"), ComputeDevice.Cpu);
        var reference = new ReferenceDecoder(lm.Network);
        var question = new MultipleChoiceQuestion("Question: The lazy dog sleeps while the quick\nAnswer:", ["fox learns", "cat", "brown fox jumps over"], 0);

        var result = MultipleChoiceScorer.Score(lm.Network, lm.Tokenizer, [question]);

        for (int c = 0; c < question.Choices.Count; c++)
        {
            var contextIds = lm.Tokenizer.Encode(question.Context, addSpecialTokens: false);
            var whole = lm.Tokenizer.Encode(question.Context + " " + question.Choices[c], addSpecialTokens: false).ToArray();
            var logits = reference.Logits(whole[..^1]);
            double expected = 0;
            for (int t = contextIds.Count; t < whole.Length; t++)
            {
                var row = logits[t - 1];
                double max = row.Max(), logSum = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
                expected += row[whole[t]] - logSum;
            }
            Assert.Equal(expected, result.LogLikelihoods[0][c], 3);
            Assert.True(Math.Abs(expected - result.LogLikelihoods[0][c]) <= 1e-4 * Math.Abs(expected), $"choice {c}: {result.LogLikelihoods[0][c]} vs {expected}");
        }
        var lls = result.LogLikelihoods[0];
        Assert.Equal(MultipleChoiceScorer.Judge(lls, question.Choices, 0).Correct ? 1.0 : 0.0, result.Accuracy);
    }
}
