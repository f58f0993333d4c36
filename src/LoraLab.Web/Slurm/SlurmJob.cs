namespace LoraLab.Web.Slurm;

/// <summary>
/// One job as <c>scontrol show job -o</c> describes it. <paramref name="State"/> is Slurm's job state (PENDING,
/// RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, PREEMPTED, ...); <paramref name="Reason"/> why it waits
/// or ended ("Resources", "Priority", "NonZeroExitCode"; null for "None"); <paramref name="Node"/> the node it runs or
/// ran on (null while pending); <paramref name="ExitCode"/> and <paramref name="Signal"/> from Slurm's "ExitCode=3:0".
/// </summary>
public sealed record SlurmJob(string JobId, string State, string? Reason, string? Node, int? ExitCode, int? Signal, string? StdErr)
{
    /// <summary>States a job leaves by itself; the others (COMPLETED, FAILED, ...) are final.</summary>
    static readonly HashSet<string> Active = ["PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "RESV_DEL_HOLD", "STOPPED"];

    /// <summary>Node failure, preemption, a time limit or a failed boot ended the job; the run can continue from its last checkpoint.</summary>
    static readonly HashSet<string> Interrupting = ["NODE_FAIL", "PREEMPTED", "TIMEOUT", "BOOT_FAIL", "DEADLINE"];

    public bool IsFinished => !Active.Contains(State);

    public bool IsPending => IsPendingState(State);

    /// <summary>Whether a job in this state waits to start (or to start again) rather than runs.</summary>
    public static bool IsPendingState(string? state) => state is "PENDING" or "REQUEUED" or "REQUEUE_HOLD" or "CONFIGURING";

    public bool WasInterrupted => Interrupting.Contains(State);
}
