using System.Globalization;

namespace LoraLab.Web.Evaluations;

/// <summary>The metrics a leaderboard sorts by.</summary>
public enum LeaderboardColumn { Name, ExactMatch, Contains, Rouge1, Rouge2, RougeL, Bleu, JsonValid, JsonShapeMatch, Accuracy, NormalizedAccuracy }

/// <summary>
/// A metric of a stored evaluation as the studio shows it: its column, its label in tables, its TensorBoard tag
/// (transformers' names for the generation metrics, lm-evaluation-harness's <c>acc</c> and <c>acc_norm</c>) and its
/// format (rates to three decimals, BLEU, 0–100, to one).
/// </summary>
public sealed record EvaluationMetric(LeaderboardColumn Column, string Label, string Tag)
{
    public static readonly EvaluationMetric ExactMatch = new(LeaderboardColumn.ExactMatch, "Exact match", "exact_match");
    public static readonly EvaluationMetric Contains = new(LeaderboardColumn.Contains, "Contains", "contains");
    public static readonly EvaluationMetric Rouge1 = new(LeaderboardColumn.Rouge1, "ROUGE-1", "rouge1");
    public static readonly EvaluationMetric Rouge2 = new(LeaderboardColumn.Rouge2, "ROUGE-2", "rouge2");
    public static readonly EvaluationMetric RougeL = new(LeaderboardColumn.RougeL, "ROUGE-L", "rougeL");
    public static readonly EvaluationMetric Bleu = new(LeaderboardColumn.Bleu, "BLEU", "bleu");
    public static readonly EvaluationMetric JsonValid = new(LeaderboardColumn.JsonValid, "Valid JSON", "json_valid");
    public static readonly EvaluationMetric JsonShapeMatch = new(LeaderboardColumn.JsonShapeMatch, "JSON shape", "json_shape_match");
    public static readonly EvaluationMetric Accuracy = new(LeaderboardColumn.Accuracy, "acc", "acc");
    public static readonly EvaluationMetric NormalizedAccuracy = new(LeaderboardColumn.NormalizedAccuracy, "acc_norm", "acc_norm");

    /// <summary>Every metric, in the order tables show them.</summary>
    public static readonly IReadOnlyList<EvaluationMetric> All =
        [ExactMatch, Contains, Rouge1, Rouge2, RougeL, Bleu, JsonValid, JsonShapeMatch, Accuracy, NormalizedAccuracy];

    /// <summary>
    /// The columns of a table of <paramref name="evaluations"/>: on a benchmark <c>acc</c> and <c>acc_norm</c>, else the
    /// generation metrics (valid JSON when one of them has it); both kinds when the table mixes them.
    /// </summary>
    public static IReadOnlyList<EvaluationMetric> ColumnsOf(IReadOnlyCollection<EvaluationSummary> evaluations, bool benchmark = false)
    {
        bool choices = benchmark || evaluations.Any(e => e.IsBenchmark), generation = !benchmark && (evaluations.Count == 0 || evaluations.Any(e => !e.IsBenchmark));
        return
        [
            .. generation ? [ExactMatch, Contains, Rouge1, Rouge2, RougeL, Bleu] : Array.Empty<EvaluationMetric>(),
            .. generation && evaluations.Any(e => e.JsonValid is not null) ? [JsonValid] : Array.Empty<EvaluationMetric>(),
            .. choices ? [Accuracy, NormalizedAccuracy] : Array.Empty<EvaluationMetric>(),
        ];
    }

    public double? ValueOf(EvaluationSummary e) => Column switch
    {
        LeaderboardColumn.ExactMatch => e.ExactMatch,
        LeaderboardColumn.Contains => e.Contains,
        LeaderboardColumn.Rouge1 => e.Rouge1,
        LeaderboardColumn.Rouge2 => e.Rouge2,
        LeaderboardColumn.RougeL => e.RougeL,
        LeaderboardColumn.Bleu => e.Bleu,
        LeaderboardColumn.JsonValid => e.JsonValid,
        LeaderboardColumn.JsonShapeMatch => e.JsonShapeMatch,
        LeaderboardColumn.Accuracy => e.Accuracy,
        LeaderboardColumn.NormalizedAccuracy => e.NormalizedAccuracy,
        _ => null,
    };

    /// <summary>The value of <paramref name="e"/>, formatted; "–" when it has none.</summary>
    public string Format(EvaluationSummary? e) => e is not null && ValueOf(e) is { } v
        ? v.ToString(Column == LeaderboardColumn.Bleu ? "0.0" : "0.000", CultureInfo.InvariantCulture) : "–";

    public static EvaluationMetric Of(LeaderboardColumn column) => All.Single(m => m.Column == column);
}
