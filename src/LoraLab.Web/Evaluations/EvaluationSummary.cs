namespace LoraLab.Web.Evaluations;

/// <summary>
/// One row of a leaderboard: an adapter's (or, with a null <paramref name="AdapterId"/>, the base model's) generation
/// metrics on a dataset, or on a multiple-choice benchmark its <paramref name="Accuracy"/> and
/// <paramref name="NormalizedAccuracy"/> (lm-evaluation-harness's <c>acc</c>, <c>acc_norm</c>) with the generation
/// metrics null. Rates are in [0, 1], <paramref name="Bleu"/> is 0–100; the JSON rates are null unless every
/// reference answer is JSON. <paramref name="RunId"/> names the run whose held-out records were answered, null for
/// the dataset's first records; <paramref name="AnsweredByRunId"/> the evaluation run that answered them, if any.
/// </summary>
public sealed record EvaluationSummary(
    int Id, int BaseModelId, int? AdapterId, string Name, int DatasetId, string DatasetName, int Examples,
    double? ExactMatch, double? Contains, double? Rouge1, double? Rouge2, double? RougeL, double? Bleu, double? JsonValid, double? JsonShapeMatch,
    double Seconds, DateTime CreatedAt, string Owner, int? RunId = null, int? AnsweredByRunId = null,
    double? Accuracy = null, double? NormalizedAccuracy = null)
{
    public bool IsBaseline => AdapterId is null;

    /// <summary>Scored on a multiple-choice benchmark, by log-likelihood, rather than on generated answers.</summary>
    public bool IsBenchmark => Accuracy is not null;
}

/// <summary>A prompt of the evaluation (its last user turn), the dataset's answer and the generated one (on a benchmark: a question, its right choice and the one of highest log-likelihood).</summary>
public sealed record EvaluationAnswer(string Prompt, string Reference, string Answer);

/// <summary>An evaluation with the answers it scored, and the baseline on the same records.</summary>
public sealed record EvaluationResult(EvaluationSummary Evaluation, EvaluationSummary Baseline, IReadOnlyList<EvaluationAnswer> Answers);
