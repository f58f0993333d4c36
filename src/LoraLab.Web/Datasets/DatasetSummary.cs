using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LoraLab.Web.Datasets;

/// <summary>
/// A dataset as lists show it; counts, validation report and statistics are null until it is validated.
/// <paramref name="Owner"/> is the owner's user id; <paramref name="Shared"/> datasets are readable by everyone.
/// <paramref name="FilePath"/> is where the server keeps the file: the pages use it, the API never sends it.
/// <paramref name="Benchmark"/> names the lm-evaluation-harness task format of a multiple-choice benchmark, null for records to train on.
/// </summary>
public sealed record DatasetSummary(
    int Id,
    string Name,
    string Format,
    [property: JsonIgnore] string FilePath,
    long SizeBytes,
    int? RecordCount,
    int? TrainRecordCount,
    int? EvalRecordCount,
    JsonNode? ValidationReport,
    JsonNode? Statistics,
    DateTime CreatedAt,
    string Owner,
    string OwnerName,
    bool Shared,
    string? Benchmark = null)
{
    public bool IsBenchmark => Benchmark is not null;
}
