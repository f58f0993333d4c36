namespace LoraLab.Engine.Evaluation.Metrics;

/// <summary>
/// Scores of generated answers against reference answers, each a mean over the examples in [0, 1] except BLEU
/// (sacreBLEU's corpus score, 0–100). ROUGE figures are F1, with rouge-score's default tokenizer and no stemming.
/// The JSON figures are null unless every reference answer is JSON.
/// </summary>
public sealed record GenerationMetrics(
    int Examples, double ExactMatch, double Contains, double Rouge1, double Rouge2, double RougeL, double Bleu,
    double? JsonValid, double? JsonShapeMatch)
{
    /// <summary>Exact match compares the answers with surrounding whitespace trimmed; contains asks whether the
    /// trimmed reference occurs in the prediction. Both are case-sensitive, as exact-match metrics usually are.</summary>
    public static GenerationMetrics Score(IReadOnlyList<string> predictions, IReadOnlyList<string> references)
    {
        if (predictions.Count != references.Count)
            throw new ArgumentException($"{predictions.Count} predictions for {references.Count} references.", nameof(predictions));
        if (predictions.Count == 0) throw new ArgumentException("No examples to score.", nameof(predictions));
        var pairs = predictions.Zip(references, (p, r) => (Prediction: p.Trim(), Reference: r.Trim())).ToList();
        double Mean(Func<(string Prediction, string Reference), double> score) => pairs.Average(score);
        bool jsonReferences = pairs.All(p => JsonAnswer.IsJson(p.Reference));
        return new GenerationMetrics(
            pairs.Count,
            Mean(p => p.Prediction == p.Reference ? 1 : 0),
            Mean(p => p.Prediction.Contains(p.Reference, StringComparison.Ordinal) ? 1 : 0),
            Mean(p => Rouge.N(p.Reference, p.Prediction, 1).F1),
            Mean(p => Rouge.N(p.Reference, p.Prediction, 2).F1),
            Mean(p => Rouge.L(p.Reference, p.Prediction).F1),
            SacreBleu.Corpus(predictions, [references]).Score,
            jsonReferences ? Mean(p => JsonAnswer.IsJson(p.Prediction) ? 1 : 0) : null,
            jsonReferences ? Mean(p => JsonAnswer.MatchesShapeOf(p.Prediction, p.Reference) ? 1 : 0) : null);
    }
}
