namespace LoraLab.Web.Data.Entities;

/// <summary>A trained adapter folder in PEFT layout. It outlives its run: deleting the run leaves <see cref="RunId"/> null.</summary>
public sealed class Adapter
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public int? RunId { get; set; }
    public int BaseModelId { get; set; }
    public BaseModel BaseModel { get; set; } = null!;
    public required string Method { get; set; }
    /// <summary>adapter_config.json's r, for the methods that have a rank.</summary>
    public int? Rank { get; set; }
    /// <summary>adapter_config.json's target_modules as JSON (a list of names or one pattern).</summary>
    public string? TargetModules { get; set; }
    public required string Folder { get; set; }
    public long SizeBytes { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The run's final metrics when it was saved.</summary>
    public string? MetricsJson { get; set; }
    /// <summary>
    /// The id of the user who owns it: the owner of its run, or who imported or combined it. Everyone reads it; only
    /// they and admins delete it.
    /// </summary>
    public required string Owner { get; set; }
    public StudioUser OwnerUser { get; set; } = null!;
    /// <summary>Where an adapter without a run came from, as people read it: "imported from x.zip", "0.5 × a + 0.5 × b (cat)".</summary>
    public string? Origin { get; set; }
}
