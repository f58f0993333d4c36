namespace LoraLab.Web.Evaluations;

/// <summary>
/// Evaluate adapter <paramref name="AdapterId"/> (null: the base model alone, the baseline) of base model
/// <paramref name="BaseModelId"/> on the first <paramref name="MaxExamples"/> answered records of dataset
/// <paramref name="DatasetId"/> (null: the studio's <c>LoraLab:EvaluationExamples</c>).
/// </summary>
public sealed record EvaluationRequest(int? AdapterId, int BaseModelId, int DatasetId, int? MaxExamples = null)
{
    public const int MaxExamplesLimit = 1000;
}

/// <summary>Evaluate a run's adapter on the first <paramref name="MaxExamples"/> answered records the run held out (null: the studio's <c>LoraLab:EvaluationExamples</c>).</summary>
public sealed record RunEvaluationRequest(int? MaxExamples = null);
