using System.Net.Http.Json;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Slurm;
using LoraLab.Web.Training;

namespace LoraLab.Web.Tests.Slurm;

/// <summary>Runs queued through the API with LoraLab:Executor = slurm train as jobs of the real one-node cluster.</summary>
public sealed class SlurmExecutorTests : IDisposable
{
    readonly TempDataFolder _data = new();

    [SlurmFact]
    public async Task A_queued_run_trains_as_a_Slurm_job_with_its_metrics_recorded()
    {
        using var studio = new SlurmStudio(_data);
        var run = await studio.QueueRunAsync("on slurm", steps: 4);

        var done = await studio.WaitForStatusAsync(run.Id, RunStatus.Completed);

        Assert.NotNull(done.Run.SlurmJobId);
        Assert.Equal(await SlurmCluster.NodeAsync(), done.Run.SlurmNode);
        var job = await SlurmCluster.Client.JobAsync(done.Run.SlurmJobId!);
        Assert.Equal("COMPLETED", job?.State);
        // The run's estimate became --mem, which the node's RealMemory holds (or the job would never have started).
        string memory = await SlurmCluster.JobFieldAsync(done.Run.SlurmJobId!, "MinMemoryNode");
        Assert.Matches(@"^\d+(\.\d+)?[MG]$", memory);
        Assert.NotEqual("0", memory);
        var metrics = await studio.Client.MetricsAsync(run.Id);
        Assert.Equal([1, 2, 3, 4], metrics.Where(m => m.Kind == MetricKind.Train).Select(m => m.Step));
        Assert.Equal([2, 4], metrics.Where(m => m.Kind == MetricKind.Eval).Select(m => m.Step));
        Assert.Equal([2, 4], done.Checkpoints.Select(c => c.Step));
        Assert.NotNull(done.AdapterId);
        Assert.True(File.Exists(Path.Combine(_data.Path, "adapters", $"run-{run.Id}", "adapter_config.json")));
        Assert.NotNull(done.Run.EvalLoss);
        await studio.AssertLoggedAsync(run.Id, line => line.Contains($"Slurm job {done.Run.SlurmJobId} runs on {done.Run.SlurmNode}."));
    }

    [SlurmFact]
    public async Task Queued_runs_train_as_Slurm_jobs_at_the_same_time_whatever_the_studio_machine_has()
    {
        using var studio = new SlurmStudio(_data);
        var first = await studio.QueueRunAsync("first", steps: 400);
        var second = await studio.QueueRunAsync("second", steps: 400);

        // The node has two CPUs and each job asks for one.
        var one = await studio.WaitForAsync(first.Id, r => r.Run.SlurmNode is not null, "running on a node");
        var two = await studio.WaitForAsync(second.Id, r => r.Run.SlurmNode is not null, "running on a node");
        Assert.Equal("RUNNING", (await SlurmCluster.Client.JobAsync(one.Run.SlurmJobId!))?.State);
        Assert.Equal("RUNNING", (await SlurmCluster.Client.JobAsync(two.Run.SlurmJobId!))?.State);
        var cluster = await studio.Client.Http.GetFromJsonAsync<ClusterStatus>("/api/cluster", TestJson.Options);
        Assert.Contains(cluster!.Partitions, p => p.Name == "debug" && p.NodeList == one.Run.SlurmNode);
        Assert.Equal([(first.Id, one.Run.SlurmJobId, "RUNNING"), (second.Id, two.Run.SlurmJobId, "RUNNING")],
            cluster.Jobs.Select(j => (j.RunId, (string?)j.JobId, j.State)));

        await studio.Client.PostAsync($"/api/runs/{first.Id}/cancel", System.Net.HttpStatusCode.Accepted);
        await studio.Client.PostAsync($"/api/runs/{second.Id}/cancel", System.Net.HttpStatusCode.Accepted);
        await studio.WaitForStatusAsync(first.Id, RunStatus.Cancelled, seconds: 90);
        await studio.WaitForStatusAsync(second.Id, RunStatus.Cancelled, seconds: 90);
    }

    [SlurmFact]
    public async Task A_job_Slurm_keeps_pending_shows_its_reason_until_it_starts_running()
    {
        using var studio = new SlurmStudio(_data, ("LoraLab:Slurm:ExtraArguments:0", "--begin=now+3600"));
        var run = await studio.QueueRunAsync("later", steps: 400);

        var pending = await studio.WaitForAsync(run.Id, r => r.Run.SlurmPendingReason == "BeginTime", "pending for its begin time");
        Assert.Equal(RunStatus.Running, pending.Run.Status);
        Assert.Null(pending.Run.SlurmNode);
        Assert.Equal("PENDING", (await SlurmCluster.Client.JobAsync(pending.Run.SlurmJobId!))?.State);

        await SlurmCluster.StartNowAsync(pending.Run.SlurmJobId!);
        var running = await studio.WaitForAsync(run.Id, r => r.Run.SlurmNode is not null, "running on a node");

        Assert.Null(running.Run.SlurmPendingReason);
        await studio.AssertLoggedAsync(run.Id, line => line == $"Slurm job {pending.Run.SlurmJobId} is PENDING: BeginTime.");
        await studio.Client.PostAsync($"/api/runs/{run.Id}/cancel", System.Net.HttpStatusCode.Accepted);
        await studio.WaitForStatusAsync(run.Id, RunStatus.Cancelled, seconds: 90);
    }

    [SlurmFact]
    public async Task A_job_that_fails_fails_the_run_with_its_exit_code_and_the_end_of_its_log()
    {
        using var studio = new SlurmStudio(_data, ("LoraLab:Slurm:Command", "dotnet /nowhere/loralab.dll"));
        var run = await studio.QueueRunAsync("broken command", steps: 4);

        var failed = await studio.WaitForStatusAsync(run.Id, RunStatus.Failed);

        Assert.StartsWith($"Slurm job {failed.Run.SlurmJobId} ended FAILED with exit code ", failed.Run.ErrorMessage);
        // dotnet says so on stderr, which is the job's log.
        Assert.EndsWith("Could not execute because the specified command or file was not found.", failed.Run.ErrorMessage);
    }

    [SlurmFact]
    public async Task Cancelling_a_run_cancels_its_Slurm_job()
    {
        using var studio = new SlurmStudio(_data);
        var run = await studio.QueueRunAsync("cancel me", steps: 400);
        var training = await studio.WaitForAsync(run.Id, r => r.Run.SlurmNode is not null, "running on a node");

        await studio.Client.PostAsync($"/api/runs/{run.Id}/cancel", System.Net.HttpStatusCode.Accepted);
        await studio.WaitForStatusAsync(run.Id, RunStatus.Cancelled, seconds: 90);

        var job = await SlurmCluster.Client.JobAsync(training.Run.SlurmJobId!);
        Assert.Equal("CANCELLED", job?.State);
        await studio.AssertLoggedAsync(run.Id, line => line == $"Cancelled Slurm job {training.Run.SlurmJobId} (scancel).");
    }

    [SlurmFact]
    public async Task A_run_whose_node_goes_down_is_interrupted_and_resumes_from_its_last_checkpoint()
    {
        using var studio = new SlurmStudio(_data);
        var run = await studio.QueueRunAsync("node failure", steps: 400);
        var training = await studio.WaitForAsync(run.Id, r => r.Checkpoints.Count > 0, "past its first checkpoint");
        string node = training.Run.SlurmNode!;

        RunDetails interrupted;
        try
        {
            await SlurmCluster.MarkNodeDownAsync(node);
            interrupted = await studio.WaitForStatusAsync(run.Id, RunStatus.Interrupted, seconds: 90);
        }
        finally
        {
            await SlurmCluster.ResumeNodeAsync(node);
        }

        Assert.Equal($"Slurm job {training.Run.SlurmJobId} ended NODE_FAIL on {node}; resume the run to continue from its last checkpoint.", interrupted.Run.ErrorMessage);
        int lastCheckpoint = interrupted.Checkpoints.Max(c => c.Step);
        await studio.Client.PostAsync($"/api/runs/{run.Id}/resume", System.Net.HttpStatusCode.OK);
        var resumed = await studio.WaitForAsync(run.Id, r => r.Run.SlurmJobId != training.Run.SlurmJobId && r.Run.SlurmNode is not null, "resumed as a new job");
        await studio.AssertLoggedAsync(run.Id, line => line == $"Submitted as Slurm job {resumed.Run.SlurmJobId}, resuming from the checkpoint of step {lastCheckpoint}.");
        await studio.Client.PostAsync($"/api/runs/{run.Id}/cancel", System.Net.HttpStatusCode.Accepted);
        await studio.WaitForStatusAsync(run.Id, RunStatus.Cancelled, seconds: 90);
    }

    [SlurmFact]
    public async Task With_AutoResumeInterrupted_a_run_whose_node_goes_down_continues_as_a_new_job()
    {
        using var studio = new SlurmStudio(_data, ("LoraLab:AutoResumeInterrupted", "true"));
        var run = await studio.QueueRunAsync("node failure, resumed", steps: 400);
        var training = await studio.WaitForAsync(run.Id, r => r.Checkpoints.Count > 0, "past its first checkpoint");
        string node = training.Run.SlurmNode!;

        RunDetails resumed;
        try
        {
            await SlurmCluster.MarkNodeDownAsync(node);
            await SlurmCluster.ResumeNodeAsync(node);
            resumed = await studio.WaitForAsync(run.Id, r => r.Run.SlurmJobId != training.Run.SlurmJobId && r.Run.SlurmNode is not null, "resumed as a new job");
        }
        finally
        {
            await SlurmCluster.ResumeNodeAsync(node);
        }

        Assert.Equal(RunStatus.Running, resumed.Run.Status);
        Assert.Equal("NODE_FAIL", (await SlurmCluster.Client.JobAsync(training.Run.SlurmJobId!))?.State);
        await studio.AssertLoggedAsync(run.Id, line => line.StartsWith($"Submitted as Slurm job {resumed.Run.SlurmJobId}, resuming from the checkpoint of step "));
        await studio.Client.PostAsync($"/api/runs/{run.Id}/cancel", System.Net.HttpStatusCode.Accepted);
        await studio.WaitForStatusAsync(run.Id, RunStatus.Cancelled, seconds: 90);
    }

    [SlurmFact]
    public async Task A_run_keeps_training_while_the_Slurm_controller_restarts()
    {
        using var studio = new SlurmStudio(_data, ("LoraLab:Slurm:PollInterval", "00:00:00.2"));
        var run = await studio.QueueRunAsync("controller restart", steps: 30, every: 10);
        var training = await studio.WaitForAsync(run.Id, r => r.Run.SlurmNode is not null, "running on a node");

        await SlurmCluster.RestartControllerAsync(down: TimeSpan.FromSeconds(3));
        var done = await studio.WaitForStatusAsync(run.Id, RunStatus.Completed, seconds: 120);

        Assert.Equal(training.Run.SlurmJobId, done.Run.SlurmJobId);
        Assert.Equal(Enumerable.Range(1, 30), (await studio.Client.MetricsAsync(run.Id)).Where(m => m.Kind == MetricKind.Train).Select(m => m.Step));
    }

    [SlurmFact]
    public async Task A_studio_restarted_mid_run_follows_its_job_again_losing_and_duplicating_no_metric()
    {
        int runId;
        string jobId;
        using (var first = new SlurmStudio(_data))
        {
            var run = await first.QueueRunAsync("restart", steps: 30, every: 10);
            var training = await first.WaitForAsync(run.Id, r => r.Checkpoints.Count > 0, "past its first checkpoint");
            (runId, jobId) = (run.Id, training.Run.SlurmJobId!);
        }
        // Stopping the studio left the job training (it may have finished since).
        Assert.Contains((await SlurmCluster.Client.JobAsync(jobId))?.State, new[] { "RUNNING", "COMPLETED" });

        using var second = new SlurmStudio(_data);
        var done = await second.WaitForStatusAsync(runId, RunStatus.Completed);

        Assert.Equal(jobId, done.Run.SlurmJobId);
        var metrics = await second.Client.MetricsAsync(runId);
        Assert.Equal(Enumerable.Range(1, 30), metrics.Where(m => m.Kind == MetricKind.Train).Select(m => m.Step));
        Assert.Equal([10, 20, 30], metrics.Where(m => m.Kind == MetricKind.Eval).Select(m => m.Step));
        Assert.Equal([10, 20, 30], done.Checkpoints.Select(c => c.Step));
        Assert.NotNull(done.AdapterId);
        var log = await second.LogAsync(runId);
        Assert.Contains(log, line => line == $"The studio stops; Slurm job {jobId} keeps running and is followed again at the next start.");
        Assert.Contains(log, line => line.StartsWith($"Reattached to Slurm job {jobId};"));
    }

    [SlurmFact]
    public async Task A_partition_unknown_to_sinfo_stops_the_studio_at_start_up_saying_so()
    {
        using var studio = new SlurmStudio(_data, ("LoraLab:Slurm:Partition", "nope"));

        var error = Assert.ThrowsAny<Exception>(() => studio.Client);

        Assert.Contains("LoraLab:Slurm:Partition 'nope' is unknown to sinfo, which lists debug.", error.ToString());
    }

    public void Dispose() => _data.Dispose();
}
