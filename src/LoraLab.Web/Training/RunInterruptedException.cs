namespace LoraLab.Web.Training;

/// <summary>
/// Thrown by an executor when a run stopped through no fault of its own (its node failed, it was preempted, it reached
/// the cluster's time limit): the run ends Interrupted, with this message, and resumes from its last checkpoint.
/// </summary>
public sealed class RunInterruptedException(string message) : Exception(message);
