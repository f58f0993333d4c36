using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using LoraLab.Web.Adapters;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Training;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Training;

public sealed class RunLifecycleTests : IAsyncLifetime
{
    readonly TempDataFolder _data = new();
    readonly ScriptedExecutor _executor = new() { FailRunNamed = "doomed" };
    StudioAppFactory _app = null!;
    StudioClient _studio = null!;

    public Task InitializeAsync()
    {
        _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        _app = new StudioAppFactory(_data, _executor);
        _studio = new StudioClient(_app.CreateClient());
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_queued_run_streams_its_steps_over_signalr_completes_and_its_adapter_downloads_as_a_peft_zip()
    {
        await using var hub = await ConnectAsync();
        var steps = new ConcurrentQueue<(int RunId, StepMetrics Step)>();
        var statuses = new ConcurrentQueue<(int RunId, StatusChanged Status)>();
        var completed = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On<int, StepMetrics>("StepMetrics", (runId, step) => steps.Enqueue((runId, step)));
        hub.On<int, StatusChanged>("StatusChanged", (runId, status) =>
        {
            statuses.Enqueue((runId, status));
            if (status.Status == RunStatus.Completed) completed.TrySetResult(runId);
        });
        await hub.InvokeAsync("SubscribeToAll");
        int modelId = await _studio.ModelIdAsync("SmolLM2-135M");
        var dataset = await _studio.UploadDatasetAsync();

        var run = await _studio.CreateRunAsync(modelId, dataset.Id, name: "smol-chat");
        await hub.InvokeAsync("SubscribeToRun", run.Id); // subscribed to both: each event must still arrive once
        int completedRun = await completed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(run.Id, completedRun);
        Assert.Equal(Enumerable.Range(1, 4).Select(s => (run.Id, ScriptedExecutor.Step(s, 4))), steps);
        Assert.Equal([RunStatus.Queued, RunStatus.Running, RunStatus.Completed], statuses.Select(s => s.Status.Status));
        var details = await _studio.GetRunAsync(run.Id);
        Assert.Equal((4.0 / 5, ScriptedExecutor.EvalLoss, 400.0), (details.Run.TrainLoss, details.Run.EvalLoss, details.Run.TokensPerSecond));
        Assert.Equal([2, 4], details.Checkpoints.Select(c => c.Step));

        var adapters = await _studio.Http.GetFromJsonAsync<List<AdapterSummary>>("/api/adapters", TestJson.Options);
        var adapter = Assert.Single(adapters!);
        Assert.Equal((run.Id, "smol-chat", "lora", 8, modelId, details.AdapterId), (adapter.RunId, adapter.Name, adapter.Method, adapter.Rank, adapter.BaseModelId, (int?)adapter.Id));
        Assert.Equal("""["q_proj","v_proj"]""", adapter.TargetModules!.ToJsonString());

        var download = await _studio.Http.GetAsync($"/api/adapters/{adapter.Id}/download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/zip", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal("smol-chat.zip", download.Content.Headers.ContentDisposition!.FileName);
        using var zip = new ZipArchive(await download.Content.ReadAsStreamAsync());
        Assert.Equal(["adapter_config.json", "adapter_model.safetensors"], zip.Entries.Select(e => e.FullName).Order());
        using var config = new StreamReader(zip.GetEntry("adapter_config.json")!.Open());
        Assert.Equal(ScriptedExecutor.AdapterConfig, await config.ReadToEndAsync());
    }

    [Fact]
    public async Task The_metrics_of_a_completed_run_are_every_step_then_the_evaluation_with_the_reported_values()
    {
        int modelId = await _studio.ModelIdAsync("SmolLM2-135M");
        var dataset = await _studio.UploadDatasetAsync();
        var run = await _studio.CreateRunAsync(modelId, dataset.Id);
        await _studio.WaitForStatusAsync(run.Id, RunStatus.Completed);

        var metrics = await _studio.MetricsAsync(run.Id);

        var expected = Enumerable.Range(1, 4).Select(s => ScriptedExecutor.Step(s, 4))
            .Select(s => new MetricPoint(s.Step, MetricKind.Train, s.Loss, s.LearningRate, s.GradNorm, s.TokensPerSecond, s.ElapsedSeconds))
            .Append(new MetricPoint(4, MetricKind.Eval, ScriptedExecutor.EvalLoss, null, null, null, 1.0));
        Assert.Equal(expected, metrics);
        var log = await _studio.Http.GetFromJsonAsync<List<string>>($"/api/runs/{run.Id}/log");
        Assert.Equal(["training 'run' from step 1", "adapter saved"], log);
    }

    [Fact]
    public async Task A_run_whose_executor_throws_fails_with_the_message_and_the_worker_trains_the_next_run()
    {
        int modelId = await _studio.ModelIdAsync("SmolLM2-135M");
        var dataset = await _studio.UploadDatasetAsync();
        var doomed = await _studio.CreateRunAsync(modelId, dataset.Id, "doomed");
        var next = await _studio.CreateRunAsync(modelId, dataset.Id, "next");

        var failed = await _studio.WaitForStatusAsync(doomed.Id, RunStatus.Failed);
        await _studio.WaitForStatusAsync(next.Id, RunStatus.Completed);

        Assert.Equal("'doomed' cannot be trained: learning_rate is negative.", failed.Run.ErrorMessage);
        Assert.Equal([1], (await _studio.MetricsAsync(doomed.Id)).Select(m => m.Step));
        Assert.Null(failed.AdapterId);
    }

    [Fact]
    public async Task Deleting_an_adapter_deletes_its_folder()
    {
        int modelId = await _studio.ModelIdAsync("SmolLM2-135M");
        var dataset = await _studio.UploadDatasetAsync();
        var run = await _studio.CreateRunAsync(modelId, dataset.Id);
        int adapterId = (await _studio.WaitForStatusAsync(run.Id, RunStatus.Completed)).AdapterId!.Value;
        string folder = _executor.Requests.Single(r => r.RunId == run.Id).AdapterFolder;
        Assert.True(Directory.Exists(folder));

        var response = await _studio.Http.DeleteAsync($"/api/adapters/{adapterId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(Directory.Exists(folder));
        Assert.Equal(HttpStatusCode.NotFound, (await _studio.Http.GetAsync($"/api/adapters/{adapterId}")).StatusCode);
    }

    async Task<HubConnection> ConnectAsync()
    {
        var server = _app.Server;
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "hubs/training"), options =>
            {
                options.Transports = HttpTransportType.LongPolling;
                options.HttpMessageHandlerFactory = _ => server.CreateHandler();
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
        await connection.StartAsync();
        return connection;
    }

    public async Task DisposeAsync()
    {
        _executor.Release();
        await _app.DisposeAsync();
        _data.Dispose();
    }
}
