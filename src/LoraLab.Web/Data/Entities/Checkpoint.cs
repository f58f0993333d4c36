namespace LoraLab.Web.Data.Entities;

/// <summary>A resumable state of a run saved at a step, in runs/{runId}/checkpoints/.</summary>
public sealed class Checkpoint
{
    public int Id { get; set; }
    public int RunId { get; set; }
    public int Step { get; set; }
    public required string Path { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The checkpoint with the lowest evaluation loss so far; at most one per run.</summary>
    public bool IsBest { get; set; }
}
