namespace LoraLab.Web.Training;

/// <summary>A run a worker took from the queue: what to execute, and the cancellation that cancel and shutdown both trip.</summary>
public sealed record RunLease(RunRequest Request, CancellationTokenSource Cancellation)
{
    public int RunId => Request.RunId;
}
