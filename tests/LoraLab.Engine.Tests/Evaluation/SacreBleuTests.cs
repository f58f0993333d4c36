using LoraLab.Engine.Evaluation.Metrics;

namespace LoraLab.Engine.Tests.Evaluation;

/// <summary>The expected scores of mjpost/sacrebleu's own tests (<c>test/test_bleu.py</c>, <c>test/test_sentence_bleu.py</c>).</summary>
public sealed class SacreBleuTests
{
    static readonly string[] Hypotheses = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
    static readonly IReadOnlyList<string>[] References =
    [
        ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
        ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ];

    [Fact]
    public void The_readme_example_scores_as_sacrebleu_with_its_defaults()
    {
        Assert.Equal(48.530827, SacreBleu.Corpus(Hypotheses, References).Score, 6);
    }

    [Fact]
    public void Empty_hypotheses_score_zero_and_are_not_dropped()
    {
        var score = SacreBleu.Corpus(["", "", ""], References);

        Assert.Equal(0.0, score.Score);
        Assert.Equal(0, score.HypothesisLength);
    }

    [Fact]
    public void Sentence_bleu_of_the_romanian_example_uses_the_effective_order_and_exp_smoothing()
    {
        var score = SacreBleu.Sentence("Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;", ["producţia de zahăr brut se exprimă în zahăr alb;"]);

        Assert.Equal(8.493, score.Score, 3);
        Assert.Equal(0.0, SacreBleu.Sentence("this is a cat", ["okay thanks"]).Score);
    }

    [Fact]
    public void Clipped_ngram_counts_are_those_sacrebleu_reports()
    {
        var score = SacreBleu.Sentence("am I am a character sequence", ["I am a symbol string sequence a a"]);

        Assert.Equal([4, 2, 1, 0], score.Correct);
        Assert.Equal([6, 5, 4, 3], score.Total);
    }

    [Theory]
    [InlineData("Hello, world. It costs $3.50-4, (really)!", "Hello , world . It costs $ 3.50 - 4 , ( really ) !")]
    [InlineData("a&amp;b &quot;q&quot; x-\ny", "a & b \" q \" xy")]
    public void The_13a_tokenizer_splits_punctuation_as_mteval_does(string text, string expected) =>
        Assert.Equal(expected, SacreBleu.Tokenize13a(text));
}
