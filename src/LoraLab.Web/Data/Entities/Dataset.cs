namespace LoraLab.Web.Data.Entities;

/// <summary>An uploaded dataset file. Counts, validation report and statistics stay null until the dataset is validated.</summary>
public sealed class Dataset
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>jsonl, json or csv: the file's extension without the dot.</summary>
    public required string Format { get; set; }
    public required string FilePath { get; set; }
    /// <summary>
    /// Set for a multiple-choice benchmark: the lm-evaluation-harness task format its rows are in (one of
    /// <c>BenchmarkFormat.Names</c>); such a dataset is evaluated on, never trained on. Null for records to train on.
    /// </summary>
    public string? Benchmark { get; set; }
    public long SizeBytes { get; set; }
    public int? RecordCount { get; set; }
    public int? TrainRecordCount { get; set; }
    public int? EvalRecordCount { get; set; }
    public string? ValidationReportJson { get; set; }
    public string? StatisticsJson { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The id of the user who uploaded it; only they and admins can read it, unless it is <see cref="Shared"/>.</summary>
    public required string Owner { get; set; }
    public StudioUser OwnerUser { get; set; } = null!;
    /// <summary>Readable by every user: the bundled demo datasets.</summary>
    public bool Shared { get; set; }
}
