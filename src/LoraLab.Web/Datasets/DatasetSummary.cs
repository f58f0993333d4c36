using System.Text.Json.Nodes;

namespace LoraLab.Web.Datasets;

/// <summary>A dataset as lists show it; counts, validation report and statistics are null until it is validated.</summary>
public sealed record DatasetSummary(
    int Id,
    string Name,
    string Format,
    string FilePath,
    long SizeBytes,
    int? RecordCount,
    int? TrainRecordCount,
    int? EvalRecordCount,
    JsonNode? ValidationReport,
    JsonNode? Statistics,
    DateTime CreatedAt);
