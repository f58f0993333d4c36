namespace LoraLab.Web.Slurm;

/// <summary>Slurm's state of a job → what its run shows: the node once it started, and Slurm's reason while it is pending.</summary>
public static class SlurmJobDisplay
{
    /// <param name="job">What scontrol says now; null once Slurm forgot the job (it ended), which keeps the node shown before.</param>
    /// <param name="before">What the run showed until now, if anything.</param>
    public static SlurmJobChanged Of(string jobId, SlurmJob? job, SlurmJobChanged? before) => job switch
    {
        null => new SlurmJobChanged(jobId, before?.Node, PendingReason: null),
        // A pending job's NodeList is where Slurm means to start it, not where it runs.
        { IsPending: true } => new SlurmJobChanged(jobId, before?.Node, job.Reason ?? SlurmPendingReasons.None),
        _ => new SlurmJobChanged(jobId, job.Node ?? before?.Node, PendingReason: null),
    };
}
