using LoraLab.Web.Data.Entities;
using LoraLab.Web.Tests;

namespace LoraLab.Web.BrowserTests;

/// <summary>Fifty browser-less clients on the training hub of a real studio while a run trains.</summary>
public sealed class HubLoadTests : IAsyncLifetime
{
    public const int Clients = 50;
    const int Steps = 120;

    readonly string _dataPath = Directory.CreateTempSubdirectory("loralab-hub-load-").FullName;
    StudioProcess _studio = null!;

    public async Task InitializeAsync()
    {
        TinyModelFolder.Write(Path.Combine(_dataPath, "models", TinyRuns.ModelName));
        _studio = await StudioProcess.StartAsync(_dataPath);
    }

    [Fact]
    public async Task Every_one_of_fifty_hub_clients_receives_every_step_event_of_a_run_in_order()
    {
        var client = new StudioClient(new HttpClient { BaseAddress = new Uri(_studio.Url) });
        var dataset = await client.UploadDatasetAsync("chat.jsonl", TinyRuns.ChatDataset(24));
        await using var listeners = await HubListeners.ConnectAsync(_studio.Url, Clients);

        var run = await TinyRuns.CreateAsync(client, await client.ModelIdAsync(TinyRuns.ModelName), dataset.Id, "watched", Steps);
        await listeners.WaitForStatusAsync(run.Id, RunStatus.Completed, TimeSpan.FromMinutes(4));

        var received = listeners.StepsOf(run.Id);
        Assert.Equal(Clients, received.Count);
        Assert.All(received, steps => Assert.Equal(Enumerable.Range(1, Steps), steps));
    }

    public async Task DisposeAsync()
    {
        await _studio.DisposeAsync();
        Directory.Delete(_dataPath, recursive: true);
    }
}
