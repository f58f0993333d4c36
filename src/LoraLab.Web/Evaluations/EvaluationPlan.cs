using LoraLab.Engine.Evaluation.Benchmarks;
using LoraLab.Web.Adapters;
using LoraLab.Web.Playground;

namespace LoraLab.Web.Evaluations;

/// <summary>The records answered, and whose: an adapter (null: the baseline) of a base model on a dataset, or on run <paramref name="RunId"/>'s held-out records.</summary>
public sealed record EvaluationTarget(int BaseModelId, int? AdapterId, int DatasetId, int? RunId);

/// <summary>
/// What an evaluation run answers: <paramref name="Records"/> in each of <paramref name="Columns"/> (an adapter's id, or
/// null for the base model alone), the columns' adapters in <paramref name="Adapters"/>; on a multiple-choice benchmark,
/// its <paramref name="Questions"/> instead of records.
/// </summary>
public sealed record EvaluationPlan(EvaluationTarget Target, IReadOnlyList<PromptSetExample> Records, IReadOnlyList<int?> Columns,
    IReadOnlyDictionary<int, AdapterSummary> Adapters, IReadOnlyList<MultipleChoiceQuestion>? Questions = null)
{
    /// <summary>How many records (or questions) each column answers.</summary>
    public int Count => Questions?.Count ?? Records.Count;
}
