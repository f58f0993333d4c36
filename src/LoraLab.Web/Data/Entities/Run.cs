namespace LoraLab.Web.Data.Entities;

/// <summary>
/// One job of the queue: a fine-tuning run (what to train, how), or an evaluation run (which adapter answers which
/// records); where it stands in the queue, and how it ended.
/// </summary>
public sealed class Run
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public RunKind Kind { get; set; }
    public int BaseModelId { get; set; }
    public BaseModel BaseModel { get; set; } = null!;
    /// <summary>Null once the dataset of a finished run is deleted.</summary>
    public int? DatasetId { get; set; }
    public Dataset? Dataset { get; set; }
    /// <summary>lora, dora, qlora, prompt, prefix, ia3, adapter, selective or full (the engine's IPeftMethod.Kind); <c>evaluation</c> for an evaluation run.</summary>
    public required string MethodKind { get; set; }
    /// <summary>The method's and trainer's hyperparameters as a JSON object; for an evaluation run, what it answers (<c>EvaluationRunSpec</c>).</summary>
    public required string ConfigurationJson { get; set; }
    public RunStatus Status { get; set; }
    /// <summary>1-based place among the queued runs; null when not queued.</summary>
    public int? QueuePosition { get; set; }
    /// <summary>The id of the user who launched it: everyone reads it, only they and admins change or delete it.</summary>
    public required string Owner { get; set; }
    public StudioUser OwnerUser { get; set; } = null!;
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public string? ErrorMessage { get; set; }
    /// <summary>The step of the checkpoint the next execution starts from (set by resuming); null starts from scratch.</summary>
    public int? ResumeFromStep { get; set; }
    public double? TrainLoss { get; set; }
    public double? EvalLoss { get; set; }
    public double? Perplexity { get; set; }
    public double? TokensPerSecond { get; set; }
    /// <summary>The Slurm job of its latest execution when the studio trains on a cluster (LoraLab:Executor = slurm); null otherwise.</summary>
    public string? SlurmJobId { get; set; }
    /// <summary>The node that Slurm job ran on, once it started.</summary>
    public string? SlurmNode { get; set; }
    /// <summary>
    /// Slurm's reason while that job waits to start, as scontrol gives it ("Resources", "Priority", "BeginTime"; "None"
    /// right after submission, before the scheduler looked at it); null once it started, and for runs not on Slurm.
    /// </summary>
    public string? SlurmPendingReason { get; set; }
    /// <summary>The sweep that queued it, if any.</summary>
    public int? SweepId { get; set; }
    public List<Checkpoint> Checkpoints { get; } = [];
}
