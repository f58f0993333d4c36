using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Devices;
using LoraLab.Web.Models;
using LoraLab.Web.Tests.Devices;
using LoraLab.Web.Tests.Playground;
using LoraLab.Web.Training;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LoraLab.Web.Tests.Slurm;

/// <summary>
/// The studio with LoraLab:Executor = slurm on the bundled demo model, submitting to the real cluster and running the
/// built loralab CLI on its node; the data folder is the shared folder (the node is this machine).
/// </summary>
public sealed class SlurmStudio : WebApplicationFactory<Program>
{
    readonly TempDataFolder _data;
    readonly (string Key, string Value)[] _settings;
    readonly string _noAdapters = Directory.CreateTempSubdirectory("loralab-no-demo-adapters-").FullName;

    public SlurmStudio(TempDataFolder data, params (string Key, string Value)[] settings)
    {
        _data = data;
        _settings = settings;
    }

    /// <summary>The API client; the first use starts the studio.</summary>
    public StudioClient Client => _client ??= new StudioClient(CreateClient());

    StudioClient? _client;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("LoraLab:DataPath", _data.Path).UseSetting("LoraLab:Device", "cpu")
            .UseSetting("LoraLab:RegisterDemo", "true").UseSetting("LoraLab:DemoModelPath", DemoAdapterFiles.DemoModel)
            .UseSetting("LoraLab:DemoDatasetsPath", _noAdapters).UseSetting("LoraLab:DemoAdaptersPath", _noAdapters)
            .UseSetting("LoraLab:Executor", "slurm").UseSetting("LoraLab:Slurm:Command", SlurmCluster.LoralabCommand)
            .UseSetting("LoraLab:Slurm:Partition", "debug").UseSetting("LoraLab:Slurm:CpusPerTask", "1");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<IDeviceMemoryProbe>();
            services.AddSingleton<IDeviceMemoryProbe>(new FakeDeviceMemory());
        });
    }

    /// <summary>Queues a LoRA run on the demo model and a demo task, of <paramref name="steps"/> steps with an evaluation and a checkpoint every <paramref name="every"/>.</summary>
    public async Task<RunSummary> QueueRunAsync(string name, int steps, int every = 2)
    {
        var models = await Client.Http.GetFromJsonAsync<List<ModelSummary>>("/api/models", TestJson.Options);
        string records = string.Join('\n', File.ReadLines(Path.Combine(Path.GetDirectoryName(DemoAdapterFiles.DemoModel)!, "datasets", "pirate-style-train.jsonl")).Take(200));
        var dataset = await Client.UploadDatasetAsync("pirate.jsonl", records);
        var configuration = new JsonObject
        {
            ["method"] = new JsonObject { ["r"] = 4 },
            ["training"] = new JsonObject { ["max_steps"] = steps, ["eval_steps"] = every, ["save_steps"] = every, ["learning_rate"] = 1e-3 },
            ["data"] = new JsonObject { ["validation_fraction"] = 0.05, ["max_length"] = 64 },
        };
        var response = await Client.Http.PostAsJsonAsync("/api/runs", new NewRun(name, models!.Single().Id, dataset.Id, "lora", configuration), TestJson.Options);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunSummary>(TestJson.Options))!;
    }

    /// <summary>Waits until the run satisfies <paramref name="condition"/>; training on the shared two cores takes minutes.</summary>
    public async Task<RunDetails> WaitForAsync(int runId, Func<RunDetails, bool> condition, string what, int seconds = 300)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var run = await Client.GetRunAsync(runId);
            if (condition(run)) return run;
            if (DateTime.UtcNow > deadline)
            {
                var log = await Client.Http.GetFromJsonAsync<List<string>>($"/api/runs/{runId}/log", TestJson.Options);
                Assert.Fail($"Run {runId} is {run.Run.Status} after {seconds} s, not {what} ({run.Run.ErrorMessage}); its log:\n{string.Join('\n', log!)}");
            }
            await Task.Delay(200);
        }
    }

    public Task<RunDetails> WaitForStatusAsync(int runId, RunStatus status, int seconds = 300) =>
        WaitForAsync(runId, r => r.Run.Status == status, status.ToString(), seconds);

    public async Task<List<string>> LogAsync(int runId) => (await Client.Http.GetFromJsonAsync<List<string>>($"/api/runs/{runId}/log", TestJson.Options))!;

    /// <summary>
    /// Asserts that a line of the run's log matches within <paramref name="seconds"/>: the recorder appends log lines in
    /// batches (<see cref="RunRecorder.FlushInterval"/>), after the state they describe is already stored.
    /// </summary>
    public async Task AssertLoggedAsync(int runId, Predicate<string> line, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        List<string> log;
        while (!(log = await LogAsync(runId)).Exists(line) && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.Contains(log, line);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        // WebApplicationFactory disposes twice (Dispose and DisposeAsync).
        if (disposing && Directory.Exists(_noAdapters)) Directory.Delete(_noAdapters, recursive: true);
    }
}
