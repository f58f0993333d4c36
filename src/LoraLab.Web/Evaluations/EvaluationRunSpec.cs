using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LoraLab.Web.Evaluations;

/// <summary>
/// What an evaluation run answers, stored as its configuration: adapter <paramref name="AdapterId"/> (null: the base
/// model alone, the baseline) answers the first <paramref name="MaxExamples"/> answered records of the run's dataset,
/// or, with <paramref name="HeldOutOfRunId"/>, of the records that training run held out for validation. The base
/// model and the dataset are the run's own.
/// </summary>
public sealed record EvaluationRunSpec(
    [property: JsonPropertyName("adapter_id")] int? AdapterId,
    [property: JsonPropertyName("held_out_of_run_id")] int? HeldOutOfRunId,
    [property: JsonPropertyName("max_examples")] int MaxExamples)
{
    /// <summary>What <see cref="Data.Entities.Run.MethodKind"/> says for an evaluation run.</summary>
    public const string MethodKind = "evaluation";

    public JsonObject ToConfiguration() => (JsonObject)JsonSerializer.SerializeToNode(this)!;

    /// <exception cref="JsonException">The stored configuration is not an evaluation's.</exception>
    public static EvaluationRunSpec FromStored(JsonObject stored) =>
        stored.Deserialize<EvaluationRunSpec>() is { MaxExamples: >= 1 } spec ? spec
            : throw new JsonException("An evaluation run's configuration needs max_examples of 1 or more.");
}
