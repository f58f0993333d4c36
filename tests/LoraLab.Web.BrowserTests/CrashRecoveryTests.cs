using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using LoraLab.Web.Adapters;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Datasets;
using LoraLab.Web.Tests;
using LoraLab.Web.Training;

namespace LoraLab.Web.BrowserTests;

/// <summary>
/// The studio killed with SIGKILL in the middle of a run and started again on the same data folder: no dataset,
/// adapter, checkpoint or metric recorded up to the run's last checkpoint is lost, and the run resumes from that
/// checkpoint to the end.
/// </summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    const int MaxSteps = 400, SaveSteps = 5;

    readonly string _dataPath = Directory.CreateTempSubdirectory("loralab-crash-").FullName;
    StudioProcess _studio = null!;

    public async Task InitializeAsync()
    {
        TinyModelFolder.Write(Path.Combine(_dataPath, "models", TinyRuns.ModelName));
        _studio = await StudioProcess.StartAsync(_dataPath);
    }

    [Fact]
    public async Task A_run_killed_mid_training_comes_back_interrupted_with_its_records_intact_and_resumes_to_the_end()
    {
        var client = new StudioClient(new HttpClient { BaseAddress = new Uri(_studio.Url) });
        var dataset = await client.UploadDatasetAsync("chat.jsonl", TinyRuns.ChatDataset(24));
        // The API sends no server paths; the studio keeps files where DataFolder says, under the data folder this test owns.
        string datasetFile = Path.Combine(_dataPath, "datasets", $"{dataset.Id}-chat.jsonl");
        string datasetHash = Sha256(datasetFile);
        int modelId = await client.ModelIdAsync(TinyRuns.ModelName);
        var finished = await TinyRuns.CreateAsync(client, modelId, dataset.Id, "finished first", maxSteps: 3);
        var finishedDetails = await TinyRuns.WaitUntilAsync(client, finished.Id, r => r.Run.Status == RunStatus.Completed, "Completed", _studio);
        var adapter = (await client.Http.GetFromJsonAsync<AdapterSummary>($"/api/adapters/{finishedDetails.AdapterId}", TestJson.Options))!;
        string adapterFolder = Path.Combine(_dataPath, "adapters", $"run-{finished.Id}");
        var adapterFiles = Directory.GetFiles(adapterFolder).Order().Select(f => (Path.GetFileName(f), Sha256(f))).ToList();

        var run = await TinyRuns.CreateAsync(client, modelId, dataset.Id, "killed", MaxSteps, SaveSteps);
        var beforeKill = await TinyRuns.WaitUntilAsync(client, run.Id, r => r.Checkpoints.Count >= 2 || r.Run.Status != RunStatus.Running && r.Run.Status != RunStatus.Queued,
            "past its second checkpoint", _studio);
        var metricsBeforeKill = await client.MetricsAsync(run.Id);
        await _studio.KillAsync();
        Assert.Equal(RunStatus.Running, beforeKill.Run.Status);

        _studio = await StudioProcess.StartAsync(_dataPath);
        client = new StudioClient(new HttpClient { BaseAddress = new Uri(_studio.Url) });
        var restarted = await client.GetRunAsync(run.Id);
        var metricsAfterRestart = await client.MetricsAsync(run.Id);

        Assert.Equal(RunStatus.Interrupted, restarted.Run.Status);
        Assert.Equal("The studio stopped while this run was training; resume it to continue from its last checkpoint.", restarted.Run.ErrorMessage);
        // A checkpoint the recorder stored between our look and the kill may have joined them; none may be missing.
        Assert.Subset(restarted.Checkpoints.Select(c => c.Step).ToHashSet(), beforeKill.Checkpoints.Select(c => c.Step).ToHashSet());
        Assert.All(restarted.Checkpoints, c => Assert.True(Directory.Exists(c.Path), c.Path));
        int lastCheckpoint = restarted.Checkpoints.Max(c => c.Step);
        Assert.Equal(Enumerable.Range(1, lastCheckpoint), TrainSteps(metricsAfterRestart).TakeWhile(step => step <= lastCheckpoint));
        // Every point read before the kill, up to the last checkpoint, is still there unchanged.
        int seenBeforeKill = Math.Min(lastCheckpoint, TrainSteps(metricsBeforeKill).Max());
        Assert.Equal(UpTo(metricsBeforeKill, seenBeforeKill), UpTo(metricsAfterRestart, seenBeforeKill));
        Assert.Equal(dataset.Id, (await client.Http.GetFromJsonAsync<DatasetSummary>($"/api/datasets/{dataset.Id}", TestJson.Options))!.Id);
        Assert.Equal(datasetHash, Sha256(datasetFile));
        Assert.Equal(adapter.Id, (await client.Http.GetFromJsonAsync<AdapterSummary>($"/api/adapters/{adapter.Id}", TestJson.Options))!.Id);
        Assert.Equal(adapterFiles, Directory.GetFiles(adapterFolder).Order().Select(f => (Path.GetFileName(f), Sha256(f))).ToList());

        var resumed = await client.PostAsync($"/api/runs/{run.Id}/resume", HttpStatusCode.OK);
        Assert.Equal(lastCheckpoint, resumed.ResumeFromStep);
        await TinyRuns.WaitUntilAsync(client, run.Id, r => r.Run.Status is RunStatus.Completed or RunStatus.Failed, "finished", _studio);
        var completed = await client.GetRunAsync(run.Id);
        var metricsAtEnd = await client.MetricsAsync(run.Id);

        Assert.Equal(RunStatus.Completed, completed.Run.Status);
        Assert.Equal(Enumerable.Range(1, MaxSteps), TrainSteps(metricsAtEnd));
        Assert.Equal(UpTo(metricsAfterRestart, lastCheckpoint), UpTo(metricsAtEnd, lastCheckpoint));
        Assert.Contains($"Resuming from the checkpoint of step {lastCheckpoint}", await client.Http.GetStringAsync($"/api/runs/{run.Id}/log"));
    }

    static IEnumerable<int> TrainSteps(IEnumerable<MetricPoint> metrics) => metrics.Where(m => m.Kind == MetricKind.Train).Select(m => m.Step);

    /// <summary>The training points up to <paramref name="step"/>, compared whole: step, loss, learning rate, gradient norm.</summary>
    static List<(int, double, double?, double?)> UpTo(IEnumerable<MetricPoint> metrics, int step) => metrics
        .Where(m => m.Kind == MetricKind.Train && m.Step <= step)
        .Select(m => (m.Step, m.Loss, m.LearningRate, m.GradNorm)).ToList();

    static string Sha256(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    public async Task DisposeAsync()
    {
        await _studio.DisposeAsync();
        Directory.Delete(_dataPath, recursive: true);
    }
}
