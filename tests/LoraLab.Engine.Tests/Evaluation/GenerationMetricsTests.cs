using LoraLab.Engine.Evaluation.Metrics;

namespace LoraLab.Engine.Tests.Evaluation;

public sealed class GenerationMetricsTests
{
    [Fact]
    public void Exact_match_and_contains_compare_trimmed_answers_case_sensitively()
    {
        var m = GenerationMetrics.Score([" Paris ", "It is Paris.", "paris"], ["Paris", "Paris", "Paris"]);

        Assert.Equal((1.0 / 3, 2.0 / 3), (m.ExactMatch, m.Contains));
        Assert.Null(m.JsonValid);
    }

    [Fact]
    public void Json_answers_are_checked_for_validity_and_for_the_shape_of_the_reference()
    {
        string reference = """{"name": "Ada", "tags": ["x"], "age": 36}""";
        var m = GenerationMetrics.Score(
            ["""{"age": 1, "name": "Bob", "tags": []}""", """{"name": "Bob", "tags": [1], "age": 2}""", """{"name": "Bob"}""", "not json"],
            [reference, reference, reference, reference]);

        Assert.Equal(0.75, m.JsonValid);
        Assert.Equal(0.25, m.JsonShapeMatch);
    }

    [Fact]
    public void Rouge_and_bleu_are_the_means_and_the_corpus_score_of_their_reference_implementations()
    {
        string[] predictions = ["the cat sat on the mat", "a dog"], references = ["the cat is on the mat", "the dog barked"];

        var m = GenerationMetrics.Score(predictions, references);

        Assert.Equal((Rouge.N(references[0], predictions[0], 1).F1 + Rouge.N(references[1], predictions[1], 1).F1) / 2, m.Rouge1, 12);
        Assert.Equal((Rouge.L(references[0], predictions[0]).F1 + Rouge.L(references[1], predictions[1]).F1) / 2, m.RougeL, 12);
        Assert.Equal(SacreBleu.Corpus(predictions, [references]).Score, m.Bleu, 12);
        Assert.Equal((5.0 / 6 + 2.0 / 5) / 2, m.Rouge1, 12);   // 5 of 6 unigrams both ways; 1 of 2 vs 1 of 3 → F1 0.4
    }
}
