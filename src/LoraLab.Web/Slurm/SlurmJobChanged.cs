using LoraLab.Web.Training;

namespace LoraLab.Web.Slurm;

/// <summary>
/// What a run shows of its Slurm job changed: the node it runs on, or whether and why it waits. <paramref name="PendingReason"/>
/// is Slurm's reason while the job is pending ("None" when Slurm gives none), null once it started or ended.
/// </summary>
public sealed record SlurmJobChanged(string JobId, string? Node, string? PendingReason) : RunEvent;
