namespace LoraLab.Web.Data.Entities;

public enum ModelSource { Local, Hub, Demo }

/// <summary>
/// A base-model folder the studio knows about. A folder whose config.json cannot be used keeps its record, with
/// <see cref="Error"/> saying why and the shape fields null.
/// </summary>
public sealed class BaseModel
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Folder { get; set; }
    public string? Architecture { get; set; }
    public long? ParameterCount { get; set; }
    public string? DType { get; set; }
    public int? ContextLength { get; set; }
    /// <summary>The config.json as the engine reads it, so pages can show the shape without touching the folder.</summary>
    public string? ConfigJson { get; set; }
    public string? Error { get; set; }
    public ModelSource Source { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>
    /// The id of the user who made it by merging an adapter into its base; null for the team's models (found in a
    /// folder, downloaded from the Hub, the demo), which only admins add and delete.
    /// </summary>
    public string? Owner { get; set; }
    public StudioUser? OwnerUser { get; set; }
    /// <summary>The bytes of a merged model's folder, counted against its owner's storage quota; null for the team's models.</summary>
    public long? SizeBytes { get; set; }
}
