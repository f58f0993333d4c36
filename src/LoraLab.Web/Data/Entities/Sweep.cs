namespace LoraLab.Web.Data.Entities;

/// <summary>
/// A group of runs that differ in up to three settings, queued together from one base configuration and ranked by
/// <see cref="RankMetric"/> once they finish. Its runs point to it (<see cref="Run.SweepId"/>).
/// </summary>
public sealed class Sweep
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The id of the user who queued it; its runs are theirs.</summary>
    public required string Owner { get; set; }
    public StudioUser OwnerUser { get; set; } = null!;
    public DateTime CreatedAt { get; set; }
    public int BaseModelId { get; set; }
    public BaseModel BaseModel { get; set; } = null!;
    /// <summary>Null once the dataset is deleted.</summary>
    public int? DatasetId { get; set; }
    public Dataset? Dataset { get; set; }
    public required string MethodKind { get; set; }
    /// <summary>The configuration every run starts from, before its swept settings are set.</summary>
    public required string ConfigurationJson { get; set; }
    /// <summary>The swept settings as a JSON array of <c>{"section", "field", "values"}</c>.</summary>
    public required string SettingsJson { get; set; }
    public SweepMode Mode { get; set; }
    /// <summary>Random mode: how many combinations were drawn.</summary>
    public int? Budget { get; set; }
    /// <summary>Random mode: the seed of the draw, so that it can be repeated.</summary>
    public int? Seed { get; set; }
    /// <summary>The metric its runs are ranked by: eval_loss, train_loss or perplexity (see Sweeps/SweepMetric.cs).</summary>
    public required string RankMetric { get; set; }
}
