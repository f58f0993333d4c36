using System.Net;
using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Tests.Training;

/// <summary>Hosts stopped and started again on the same data folder.</summary>
public sealed class RestartTests : IDisposable
{
    readonly TempDataFolder _data = new();

    public RestartTests() => _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);

    [Fact]
    public async Task A_run_cut_short_by_a_restart_is_interrupted_and_resumes_from_its_checkpoint_without_repeating_steps()
    {
        var first = new ScriptedExecutor { BlockBeforeStep = 3 };
        int runId;
        await using (var app = new StudioAppFactory(_data, first))
        {
            var studio = new StudioClient(app.CreateClient());
            var run = await studio.CreateRunAsync(await studio.ModelIdAsync("SmolLM2-135M"), (await studio.UploadDatasetAsync()).Id);
            runId = await first.WaitUntilBlockedAsync();
            Assert.Equal(run.Id, runId);
        }

        var second = new ScriptedExecutor { BlockBeforeStep = 4 };
        await using var restarted = new StudioAppFactory(_data, second);
        var client = new StudioClient(restarted.CreateClient());
        var interrupted = await client.GetRunAsync(runId);
        var resumed = await client.PostAsync($"/api/runs/{runId}/resume", HttpStatusCode.OK);
        await second.WaitUntilBlockedAsync();
        second.Release();
        await client.WaitForStatusAsync(runId, RunStatus.Completed);

        Assert.Equal(RunStatus.Interrupted, interrupted.Run.Status);
        Assert.Equal("The studio shut down during this run; resume it to continue from its last checkpoint.", interrupted.Run.ErrorMessage);
        Assert.Equal(2, Assert.Single(interrupted.Checkpoints).Step);
        Assert.Equal(2, resumed.ResumeFromStep);
        var request = Assert.Single(second.Requests);
        Assert.Equal((2, interrupted.Checkpoints[0].Path), (request.ResumeFromStep, request.ResumeFromCheckpointFolder));
        var trainSteps = (await client.MetricsAsync(runId)).Where(m => m.Kind == MetricKind.Train).Select(m => m.Step);
        Assert.Equal([1, 2, 3, 4], trainSteps);
    }

    [Fact]
    public async Task A_run_left_running_by_a_crash_is_marked_interrupted_at_start_up()
    {
        int runId = SeedRunLeftRunning(checkpointStep: 2);

        await using var app = new StudioAppFactory(_data, new ScriptedExecutor());
        var run = await new StudioClient(app.CreateClient()).GetRunAsync(runId);

        Assert.Equal(RunStatus.Interrupted, run.Run.Status);
        Assert.Equal("The studio stopped while this run was training; resume it to continue from its last checkpoint.", run.Run.ErrorMessage);
    }

    [Fact]
    public async Task With_auto_resume_a_run_left_running_by_a_crash_continues_from_its_checkpoint_at_start_up()
    {
        int runId = SeedRunLeftRunning(checkpointStep: 2);
        var executor = new ScriptedExecutor();

        await using var app = new StudioAppFactory(_data, executor, ("LoraLab:AutoResumeInterrupted", "true"));
        await new StudioClient(app.CreateClient()).WaitForStatusAsync(runId, RunStatus.Completed);

        Assert.Equal(2, Assert.Single(executor.Requests).ResumeFromStep);
    }

    [Fact]
    public async Task A_queued_run_whose_stored_configuration_no_longer_reads_fails_saying_so_and_the_queue_goes_on()
    {
        int unreadable = SeedRun(RunStatus.Queued, """{"training": {"batch_size": "lots"}}""", queuePosition: 1);
        int next = SeedRun(RunStatus.Queued, "{}", queuePosition: 2);
        var executor = new ScriptedExecutor();

        await using var app = new StudioAppFactory(_data, executor);
        var client = new StudioClient(app.CreateClient());
        var failed = await client.WaitForStatusAsync(unreadable, RunStatus.Failed);
        await client.WaitForStatusAsync(next, RunStatus.Completed);

        Assert.StartsWith("The run's stored configuration cannot be read: The stored training settings: ", failed.Run.ErrorMessage);
        Assert.Equal([next], executor.Requests.Select(r => r.RunId));
    }

    /// <summary>What a killed process leaves behind: a Running run with a checkpoint, written without any host.</summary>
    int SeedRunLeftRunning(int checkpointStep) => SeedRun(RunStatus.Running, "{}", checkpointStep: checkpointStep);

    /// <summary>A run as an earlier studio stored it, written without any host.</summary>
    int SeedRun(RunStatus status, string configuration, int? checkpointStep = null, int? queuePosition = null)
    {
        using var db = TestDatabase.Create(_data.Path).CreateDbContext();
        string modelFolder = Path.Combine(_data.ModelsFolder, "SmolLM2-135M");
        var model = db.BaseModels.FirstOrDefault(m => m.Folder == modelFolder)
            ?? new BaseModel { Name = "SmolLM2-135M", Folder = modelFolder, Source = ModelSource.Local, CreatedAt = DateTime.UtcNow };
        string datasetFile = Path.Combine(_data.Path, "datasets", "1-chat.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(datasetFile)!);
        File.WriteAllText(datasetFile, StudioClient.ChatJsonl);
        var dataset = db.Datasets.FirstOrDefault(d => d.FilePath == datasetFile) ?? new Dataset { Name = "chat", Format = "jsonl", FilePath = datasetFile, SizeBytes = 10, CreatedAt = DateTime.UtcNow, Owner = "local" };
        var run = new Run
        {
            Name = "crashed", BaseModel = model, Dataset = dataset, MethodKind = "lora", ConfigurationJson = configuration,
            Status = status, QueuePosition = queuePosition, Owner = "local", CreatedAt = DateTime.UtcNow,
            StartedAt = status == RunStatus.Running ? DateTime.UtcNow : null,
        };
        db.Add(run);
        db.SaveChanges();
        if (checkpointStep is not { } step) return run.Id;
        string checkpoint = Directory.CreateDirectory(Path.Combine(_data.Path, "runs", $"{run.Id}", "checkpoints", $"step-{step}")).FullName;
        run.Checkpoints.Add(new Checkpoint { Step = step, Path = checkpoint, CreatedAt = DateTime.UtcNow });
        db.SaveChanges();
        return run.Id;
    }

    public void Dispose() => _data.Dispose();
}
