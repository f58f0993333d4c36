using LoraLab.Web.Slurm;

namespace LoraLab.Web.Tests.Slurm;

/// <summary>
/// The parsers on output of the real commands: captured from Slurm 22.05.8 (Debian's slurm-wlm) on the one-node
/// cluster .ci/slurm-up starts, with `scontrol show job -o ID` and `sinfo -h -o "%P|%a|%D|%t|%N"` after submitting
/// `sbatch --parsable` jobs that printed a line, exited 3, slept, and were cancelled while pending and while running.
/// </summary>
public sealed class SlurmParserTests
{
    const string Pending = "JobId=4 JobName=waiting UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901756 Nice=0 Account=(null) QOS=(null) JobState=PENDING Reason=Priority Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:00 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-12-07T01:42:02 EligibleTime=2026-12-07T01:42:02 AccrueTime=2026-12-07T01:42:02 StartTime=Unknown EndTime=Unknown Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-12-07T01:42:03 Scheduler=Main Partition=debug AllocNode:Sid=localhost:4482 ReqNodeList=(null) ExcNodeList=(null) NodeList= NumNodes=1 NumCPUs=2 NumTasks=1 CPUs/Task=2 ReqB:S:C:T=0:0:*:* TRES=cpu=2,mem=21694M,node=1,billing=2 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=2 MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=/tmp/sl/long.sh WorkDir=/tmp/sl StdErr=/tmp/sl/slurm-4.out StdIn=/dev/null StdOut=/tmp/sl/slurm-4.out Power= ";

    const string Running = "JobId=3 JobName=long UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901757 Nice=0 Account=(null) QOS=(null) JobState=RUNNING Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:04 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-12-07T01:42:02 EligibleTime=2026-12-07T01:42:02 AccrueTime=2026-12-07T01:42:02 StartTime=2026-12-07T01:42:06 EndTime=Unknown Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-12-07T01:42:06 Scheduler=Main Partition=debug AllocNode:Sid=localhost:4482 ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=2 NumTasks=1 CPUs/Task=2 ReqB:S:C:T=0:0:*:* TRES=cpu=2,node=1,billing=2 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=2 MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=/tmp/sl/long.sh WorkDir=/tmp/sl StdErr=/tmp/sl/slurm-3.out StdIn=/dev/null StdOut=/tmp/sl/slurm-3.out Power= ";

    const string Failed = "JobId=2 JobName=fail UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901758 Nice=0 Account=(null) QOS=(null) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:01 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-12-07T01:42:02 EligibleTime=2026-12-07T01:42:02 AccrueTime=2026-12-07T01:42:02 StartTime=2026-12-07T01:42:03 EndTime=2026-12-07T01:42:04 Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-12-07T01:42:03 Scheduler=Main Partition=debug AllocNode:Sid=localhost:4482 ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,node=1,billing=1 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=1 MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=/tmp/sl/fail.sh WorkDir=/tmp/sl StdErr=/tmp/sl/fail.err StdIn=/dev/null StdOut=/tmp/sl/fail.out Power= ";

    const string CancelledWhileRunning = "JobId=3 JobName=long UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901757 Nice=0 Account=(null) QOS=(null) JobState=CANCELLED Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:15 RunTime=00:00:04 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-12-07T01:42:02 EligibleTime=2026-12-07T01:42:02 AccrueTime=2026-12-07T01:42:02 StartTime=2026-12-07T01:42:06 EndTime=2026-12-07T01:42:10 Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-12-07T01:42:06 Scheduler=Main Partition=debug AllocNode:Sid=localhost:4482 ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=2 NumTasks=1 CPUs/Task=2 ReqB:S:C:T=0:0:*:* TRES=cpu=2,node=1,billing=2 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=2 MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=/tmp/sl/long.sh WorkDir=/tmp/sl StdErr=/tmp/sl/slurm-3.out StdIn=/dev/null StdOut=/tmp/sl/slurm-3.out Power= ";

    /// <summary>Captured after `scontrol update nodename=vm state=down reason=test` while a --no-requeue job ran on it.</summary>
    const string NodeFailed = "JobId=11 JobName=nd UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901749 Nice=0 Account=(null) QOS=(null) JobState=NODE_FAIL Reason=NodeDown Dependency=(null) Requeue=0 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:15 RunTime=00:00:02 TimeLimit=365-00:00:00 TimeMin=N/A SubmitTime=2026-12-07T01:59:21 EligibleTime=2026-12-07T01:59:21 AccrueTime=2026-12-07T01:59:21 StartTime=2026-12-07T01:59:21 EndTime=2026-12-07T01:59:23 Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-12-07T01:59:21 Scheduler=Backfill Partition=debug AllocNode:Sid=localhost:4482 ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,node=1,billing=1 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=1 MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=/tmp/sl/long.sh WorkDir=/tmp/sl StdErr=/tmp/sl/slurm-11.out StdIn=/dev/null StdOut=/tmp/sl/slurm-11.out Power= ";

    [Fact]
    public void A_job_on_a_node_marked_down_failed_with_the_node_named()
    {
        var job = SlurmJobParser.Parse(NodeFailed);

        Assert.Equal(("NODE_FAIL", "NodeDown", "vm"), (job.State, job.Reason, job.Node));
        Assert.True(job.WasInterrupted);
    }

    [Fact]
    public void A_pending_job_has_its_reason_and_no_node()
    {
        var job = SlurmJobParser.Parse(Pending);

        Assert.Equal(new SlurmJob("4", "PENDING", "Priority", null, 0, 0, "/tmp/sl/slurm-4.out"), job);
        Assert.True(job.IsPending);
        Assert.False(job.IsFinished);
    }

    [Fact]
    public void A_running_job_names_its_node_and_no_reason()
    {
        var job = SlurmJobParser.Parse(Running);

        Assert.Equal(("RUNNING", null, "vm"), (job.State, job.Reason, job.Node));
        Assert.False(job.IsPending);
        Assert.False(job.IsFinished);
    }

    [Fact]
    public void A_failed_job_carries_its_exit_code_and_stderr_file()
    {
        var job = SlurmJobParser.Parse(Failed);

        Assert.Equal(("FAILED", "NonZeroExitCode", 3, 0, "/tmp/sl/fail.err"), (job.State, job.Reason, job.ExitCode, job.Signal, job.StdErr));
        Assert.True(job.IsFinished);
        Assert.False(job.WasInterrupted);
    }

    [Fact]
    public void A_job_cancelled_while_running_ended_on_signal_15()
    {
        var job = SlurmJobParser.Parse(CancelledWhileRunning);

        Assert.Equal(("CANCELLED", 0, 15), (job.State, job.ExitCode, job.Signal));
        Assert.True(job.IsFinished);
    }

    [Theory]
    [InlineData("PREEMPTED")]
    [InlineData("TIMEOUT")]
    public void Preemption_and_time_limits_interrupt_a_job(string state)
    {
        var job = SlurmJobParser.Parse(Running.Replace("JobState=RUNNING", $"JobState={state}"));

        Assert.True(job.IsFinished);
        Assert.True(job.WasInterrupted);
    }

    [Fact]
    public void A_value_with_spaces_stays_one_value()
    {
        var fields = SlurmJobParser.Fields("JobId=7 Command=/shared/my runs/job.sh --fast WorkDir=/shared");

        Assert.Equal("/shared/my runs/job.sh --fast", fields["Command"]);
        Assert.Equal("/shared", fields["WorkDir"]);
    }

    [Fact]
    public void Sinfo_lines_are_partitions_with_the_default_marked()
    {
        var partitions = SlurmPartition.ParseAll("debug*|up|1|idle|vm\n");

        Assert.Equal([new SlurmPartition("debug", true, true, 1, "idle", "vm")], partitions);
    }
}
