namespace LoraLab.Web.Data.Entities;

/// <summary>A saved playground (models, adapters, prompts, sampling settings) as the page serialises it.</summary>
public sealed class PlaygroundSession
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string PayloadJson { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The id of the user who saved it: only they and admins see and delete it.</summary>
    public required string Owner { get; set; }
    public StudioUser OwnerUser { get; set; } = null!;
}
