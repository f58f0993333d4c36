using System.Globalization;
using System.Net.Http.Json;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Datasets;
using LoraLab.Web.Tests;
using Xunit.Abstractions;

namespace LoraLab.Web.BrowserTests;

/// <summary>Runs only with LORALAB_LOAD_BENCHMARK=1: a benchmark takes minutes and its figures are for reading, not asserting.</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public const string Variable = "LORALAB_LOAD_BENCHMARK";

    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1") Skip = $"a benchmark: set {Variable}=1 to run it";
    }
}

/// <summary>
/// Training throughput of a real studio with no hub client and with fifty, printed for the README. Runs alternate
/// (without, with, without, with …) so that drift in the machine's load falls on both sides; each figure is the run's
/// own tokens per second over its training loop, beside the CPU time the studio process spent on the run, which
/// separates the studio's own cost of the hub from the clients' (they share the machine). Only correctness is
/// asserted: every client hears every step.
/// </summary>
/// <remarks>
/// LORALAB_LOAD_BENCHMARK=1 dotnet test tests/LoraLab.Web.BrowserTests --filter HubLoadBenchmark --logger "console;verbosity=detailed"
/// </remarks>
public sealed class HubLoadBenchmark(ITestOutputHelper output) : IAsyncLifetime
{
    const int Rounds = 5;

    readonly string _dataPath = Directory.CreateTempSubdirectory("loralab-hub-bench-").FullName;
    StudioProcess _studio = null!;

    public async Task InitializeAsync()
    {
        TinyModelFolder.Write(Path.Combine(_dataPath, "models", TinyRuns.ModelName));
        _studio = await StudioProcess.StartAsync(_dataPath, new Dictionary<string, string> { ["LoraLab__RegisterDemo"] = "true" });
    }

    [BenchmarkFact]
    public async Task Training_throughput_with_fifty_hub_clients_against_none()
    {
        var client = new StudioClient(new HttpClient { BaseAddress = new Uri(_studio.Url) });
        var tiny = await client.UploadDatasetAsync("chat.jsonl", TinyRuns.ChatDataset(24));
        var datasets = (await client.Http.GetFromJsonAsync<List<DatasetSummary>>("/api/datasets", TestJson.Options))!;
        var demo = datasets.Single(d => d.Name == "demo extract-name-train");

        // The tiny model steps in milliseconds, the most events per second the hub will ever relay; the demo model is a real workload.
        await MeasureAsync(client, "tiny model (2 layers, hidden 32), 300 steps of 2 x 48 tokens", await client.ModelIdAsync(TinyRuns.ModelName), tiny.Id, 300, 2, 48);
        await MeasureAsync(client, "demo model (3.2M parameters), 60 steps of 8 x 128 tokens", await client.ModelIdAsync("model"), demo.Id, 60, 8, 128);
    }

    async Task MeasureAsync(StudioClient client, string workload, int modelId, int datasetId, int steps, int batchSize, int maxLength)
    {
        var without = new List<(double TokensPerSecond, double CpuSeconds)>();
        var with = new List<(double TokensPerSecond, double CpuSeconds)>();
        for (int round = 0; round < Rounds; round++)
        {
            without.Add(await TrainAsync(client, $"{workload} alone {round}", modelId, datasetId, steps, batchSize, maxLength, listeners: null));
            await using var listeners = await HubListeners.ConnectAsync(_studio.Url, HubLoadTests.Clients);
            with.Add(await TrainAsync(client, $"{workload} watched {round}", modelId, datasetId, steps, batchSize, maxLength, listeners));
        }
        double medianWithout = Median(without.Select(r => r.TokensPerSecond)), medianWith = Median(with.Select(r => r.TokensPerSecond));
        double cpuWithout = Median(without.Select(r => r.CpuSeconds)), cpuWith = Median(with.Select(r => r.CpuSeconds));
        output.WriteLine($"{workload}:");
        output.WriteLine($"  no hub client:  {Figures(without.Select(r => r.TokensPerSecond))} tokens/s, median {medianWithout:F0}; studio CPU {cpuWithout:F1} s per run");
        output.WriteLine($"  {HubLoadTests.Clients} hub clients: {Figures(with.Select(r => r.TokensPerSecond))} tokens/s, median {medianWith:F0}; studio CPU {cpuWith:F1} s per run");
        output.WriteLine($"  change: throughput {(medianWith / medianWithout - 1) * 100:+0.0;-0.0}%, studio CPU {(cpuWith / cpuWithout - 1) * 100:+0.0;-0.0}%");
    }

    /// <summary>The run's tokens per second over its training loop, and the CPU time the studio spent from queueing it to its end.</summary>
    async Task<(double TokensPerSecond, double CpuSeconds)> TrainAsync(StudioClient client, string name, int modelId, int datasetId, int steps, int batchSize, int maxLength, HubListeners? listeners)
    {
        var cpuBefore = _studio.CpuTime;
        var run = await TinyRuns.CreateAsync(client, modelId, datasetId, name, steps, batchSize: batchSize, maxLength: maxLength);
        var finished = await TinyRuns.WaitUntilAsync(client, run.Id, r => r.Run.Status is RunStatus.Completed or RunStatus.Failed, "finished", _studio, seconds: 900);
        Assert.Equal(RunStatus.Completed, finished.Run.Status);
        if (listeners is not null)
        {
            await listeners.WaitForStatusAsync(run.Id, RunStatus.Completed, TimeSpan.FromMinutes(1));
            Assert.All(listeners.StepsOf(run.Id), received => Assert.Equal(Enumerable.Range(1, steps), received));
        }
        return (finished.Run.TokensPerSecond!.Value, (_studio.CpuTime - cpuBefore).TotalSeconds);
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    static string Figures(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)));

    public async Task DisposeAsync()
    {
        await _studio.DisposeAsync();
        Directory.Delete(_dataPath, recursive: true);
    }
}
