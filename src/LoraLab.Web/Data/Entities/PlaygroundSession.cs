namespace LoraLab.Web.Data.Entities;

/// <summary>A saved playground (models, adapters, prompts, sampling settings) as the page serialises it.</summary>
public sealed class PlaygroundSession
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string PayloadJson { get; set; }
    public DateTime CreatedAt { get; set; }
}
