using System.Net;
using System.Net.Http.Json;
using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Tests.Training;

/// <summary>The queue through the API, with one worker held inside its first run until the test releases it.</summary>
public sealed class RunQueueTests : IAsyncLifetime
{
    readonly TempDataFolder _data = new();
    readonly ScriptedExecutor _executor = new() { BlockBeforeStep = 3 };
    StudioAppFactory _app = null!;
    StudioClient _studio = null!;
    int _modelId, _datasetId;

    public async Task InitializeAsync()
    {
        _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        _app = new StudioAppFactory(_data, _executor);
        _studio = new StudioClient(_app.CreateClient());
        _modelId = await _studio.ModelIdAsync("SmolLM2-135M");
        _datasetId = (await _studio.UploadDatasetAsync()).Id;
    }

    [Fact]
    public async Task Cancelling_a_running_run_stops_it_and_keeps_the_checkpoint_it_saved()
    {
        var run = await _studio.CreateRunAsync(_modelId, _datasetId);
        Assert.Equal(run.Id, await _executor.WaitUntilBlockedAsync());

        var accepted = await _studio.PostAsync($"/api/runs/{run.Id}/cancel", HttpStatusCode.Accepted);
        var cancelled = await _studio.WaitForStatusAsync(run.Id, RunStatus.Cancelled);

        Assert.Equal(RunStatus.Running, accepted.Status);
        var checkpoint = Assert.Single(cancelled.Checkpoints);
        Assert.Equal(2, checkpoint.Step);
        Assert.True(File.Exists(Path.Combine(checkpoint.Path, "trainer_state.json")));
        Assert.Equal([1, 2], (await _studio.MetricsAsync(run.Id)).Select(m => m.Step));
        Assert.Null(cancelled.AdapterId);
    }

    [Fact]
    public async Task Queued_runs_start_first_in_first_out_after_a_move_and_a_cancelled_one_never_starts()
    {
        var a = await _studio.CreateRunAsync(_modelId, _datasetId, "a");
        await _executor.WaitUntilBlockedAsync();
        var b = await _studio.CreateRunAsync(_modelId, _datasetId, "b");
        var c = await _studio.CreateRunAsync(_modelId, _datasetId, "c");
        var d = await _studio.CreateRunAsync(_modelId, _datasetId, "d");
        Assert.Equal([1, 2, 3], new[] { b, c, d }.Select(r => r.QueuePosition));

        var moved = await _studio.Http.PostAsJsonAsync($"/api/runs/{d.Id}/position", new { position = 1 });
        var cancelledB = await _studio.PostAsync($"/api/runs/{b.Id}/cancel", HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal((RunStatus.Cancelled, (int?)null), (cancelledB.Status, cancelledB.QueuePosition));
        var queue = (await _studio.ListRunsAsync()).Where(r => r.Status == RunStatus.Queued).Select(r => (r.Name, r.QueuePosition));
        Assert.Equal([("d", (int?)1), ("c", 2)], queue);

        _executor.Release();
        await _studio.WaitForStatusAsync(c.Id, RunStatus.Completed);
        Assert.Equal([a.Id, d.Id, c.Id], _executor.Requests.Select(r => r.RunId));
        Assert.Equal(RunStatus.Cancelled, (await _studio.GetRunAsync(b.Id)).Run.Status);
    }

    [Fact]
    public async Task A_finished_runs_metrics_download_as_csv_one_row_per_point_and_without_event_files_tensorboard_is_404()
    {
        _executor.Release();
        var run = await _studio.CreateRunAsync(_modelId, _datasetId, "csv");
        await _studio.WaitForStatusAsync(run.Id, RunStatus.Completed);
        var points = await _studio.MetricsAsync(run.Id);

        var response = await _studio.Http.GetAsync($"/api/runs/{run.Id}/metrics.csv");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("step,kind,loss,learning_rate,grad_norm,tokens_per_second,elapsed_seconds", lines[0]);
        Assert.Equal(points.Count, lines.Length - 1);
        var first = lines[1].Split(',');
        Assert.Equal((points[0].Step.ToString(), points[0].Loss), (first[0], double.Parse(first[2], System.Globalization.CultureInfo.InvariantCulture)));
        var problem = await ProblemAssert.ReadAsync(await _studio.Http.GetAsync($"/api/runs/{run.Id}/tensorboard.zip"), HttpStatusCode.NotFound);
        Assert.Equal($"Run {run.Id} has written no TensorBoard events yet.", problem.Detail);
    }

    [Fact]
    public async Task A_finished_run_cannot_be_cancelled_and_says_why()
    {
        _executor.Release();
        var run = await _studio.CreateRunAsync(_modelId, _datasetId, "done");
        await _studio.WaitForStatusAsync(run.Id, RunStatus.Completed);

        var problem = await ProblemAssert.ReadAsync(await _studio.Http.PostAsync($"/api/runs/{run.Id}/cancel", null), HttpStatusCode.Conflict);

        Assert.Equal("The run cannot be cancelled", problem.Title);
        Assert.Equal($"Run {run.Id} ('done') is Completed; only queued, running or interrupted runs can be cancelled.", problem.Detail);
    }

    public async Task DisposeAsync()
    {
        _executor.Release();
        await _app.DisposeAsync();
        _data.Dispose();
    }
}
