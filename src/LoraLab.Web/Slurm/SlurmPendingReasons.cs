namespace LoraLab.Web.Slurm;

/// <summary>Slurm's reasons for keeping a job pending (squeue(1), "JOB REASON CODES") in words a run's page can show.</summary>
public static class SlurmPendingReasons
{
    /// <summary>What scontrol says right after submission, before the scheduler looked at the job.</summary>
    public const string None = "None";

    static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["Resources"] = "waiting for resources",
        ["Priority"] = "waiting for jobs of higher priority",
        ["BeginTime"] = "waiting for its start time",
        ["Dependency"] = "waiting for the jobs it depends on",
        ["DependencyNeverSatisfied"] = "its dependency can never be satisfied",
        ["JobHeldUser"] = "held by its user",
        ["JobHeldAdmin"] = "held by an administrator",
        ["Licenses"] = "waiting for a license",
        ["NodeDown"] = "a node it needs is down",
        ["ReqNodeNotAvail"] = "a node it needs is not available",
        ["PartitionDown"] = "its partition is down",
        ["PartitionInactive"] = "its partition is inactive",
        ["PartitionNodeLimit"] = "it asks for more nodes than its partition allows",
        ["PartitionTimeLimit"] = "its time limit exceeds its partition's",
        ["Reservation"] = "waiting for its reservation",
        ["BadConstraints"] = "no node satisfies its constraints",
        ["InvalidAccount"] = "its account is invalid",
        ["InvalidQOS"] = "its QoS is invalid",
        ["WaitingForScheduling"] = "waiting to be scheduled",
        ["Cleaning"] = "being cleaned up after an earlier start",
    };

    /// <summary>
    /// The reason in words, or null for "None"; a reason not known here is shown as Slurm words it. Details after the
    /// code ("ReqNodeNotAvail,_UnavailableNodes:gpu03") are left to Slurm's raw reason.
    /// </summary>
    public static string? Describe(string reason)
    {
        if (reason == None) return null;
        string code = reason.Split(',', '(', ' ')[0];
        if (Known.TryGetValue(code, out string? words)) return words;
        if (code.StartsWith("Assoc", StringComparison.Ordinal)) return "a limit of its account is reached";
        if (code.StartsWith("QOS", StringComparison.Ordinal)) return "a limit of its QoS is reached";
        return reason;
    }
}
