namespace LoraLab.Web.Data.Entities;

/// <summary>
/// Generation metrics of an adapter (or, with a null <see cref="AdapterId"/>, of its base model alone: the baseline) on
/// the first <see cref="Examples"/> answered records of a dataset, as <c>GenerationMetrics</c> computes them, or on a
/// multiple-choice benchmark dataset its accuracies as <c>MultipleChoiceScorer</c> scores them (the generation metrics
/// then null, and the accuracies null on other datasets); with a
/// <see cref="RunId"/>, on the records that run held out of its dataset for validation instead. One per (adapter or
/// baseline, dataset, run): evaluating again replaces it. Deleting the adapter, model, dataset or run deletes it.
/// </summary>
public sealed class Evaluation
{
    public int Id { get; set; }
    public int BaseModelId { get; set; }
    public int? AdapterId { get; set; }
    public int DatasetId { get; set; }
    /// <summary>The run whose held-out validation records were answered; null for the dataset's first records (the leaderboard's).</summary>
    public int? RunId { get; set; }
    /// <summary>The evaluation run that answered them; null once that run is deleted.</summary>
    public int? AnsweredByRunId { get; set; }
    public int Examples { get; set; }
    public double? ExactMatch { get; set; }
    public double? Contains { get; set; }
    public double? Rouge1 { get; set; }
    public double? Rouge2 { get; set; }
    public double? RougeL { get; set; }
    /// <summary>sacreBLEU's corpus score, 0–100.</summary>
    public double? Bleu { get; set; }
    /// <summary>Null unless every reference answer is JSON.</summary>
    public double? JsonValid { get; set; }
    public double? JsonShapeMatch { get; set; }
    /// <summary>lm-evaluation-harness's <c>acc</c>: the share of questions whose most likely choice is the answer.</summary>
    public double? Accuracy { get; set; }
    /// <summary><c>acc_norm</c>: the same with each choice's log-likelihood divided by its length in characters.</summary>
    public double? NormalizedAccuracy { get; set; }
    /// <summary>The prompts, references and generated (or, on a benchmark, chosen) answers, as JSON, so the figures can be checked and read.</summary>
    public required string AnswersJson { get; set; }
    public double Seconds { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The id of the user who asked for it.</summary>
    public required string Owner { get; set; }
}
