using System.Net.Http.Json;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Devices;
using LoraLab.Web.Tests.Devices;
using LoraLab.Web.Training;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using static LoraLab.Web.Tests.Devices.FakeDeviceMemory;

namespace LoraLab.Web.Tests.Training;

/// <summary>
/// The studio on a host with two (made-up) GPUs: one worker per device, each run on the first device with enough free
/// memory for the engine's estimate of SmolLM2-135M at the default batch (a few GiB).
/// </summary>
public sealed class MultiDeviceTests : IAsyncDisposable
{
    readonly TempDataFolder _data = new();
    readonly ScriptedExecutor _executor = new() { BlockBeforeStep = 2 };
    WebApplicationFactory<Program>? _app;

    public MultiDeviceTests() => _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);

    StudioClient Start(long free0, long free1)
    {
        var devices = new TrainingDevices([Cuda(0), Cuda(1)], new FakeDeviceMemory(new Dictionary<string, DeviceMemoryReading>
        {
            ["CUDA:0"] = new(free0, 24 * GiB), ["CUDA:1"] = new(free1, 24 * GiB),
        }), runsPerDevice: 1);
        _app = new StudioAppFactory(_data, _executor).WithWebHostBuilder(builder => builder.ConfigureServices(services =>
        {
            services.RemoveAll<TrainingDevices>();
            services.AddSingleton(devices);
        }));
        return new StudioClient(_app.CreateClient());
    }

    [Fact]
    public async Task A_queued_run_goes_to_the_first_device_with_enough_free_memory_and_the_devices_list_shows_it_there()
    {
        var studio = Start(free0: 1 * GiB, free1: 20 * GiB);

        var run = await studio.CreateRunAsync(await studio.ModelIdAsync("SmolLM2-135M"), (await studio.UploadDatasetAsync()).Id, "placed");
        await _executor.WaitUntilBlockedAsync();
        var listed = (await studio.Http.GetFromJsonAsync<List<DeviceStatus>>("/api/devices", TestJson.Options))!;

        Assert.Equal("CUDA:1", Assert.Single(_executor.Requests).Device!.Name);
        Assert.Equal(["CUDA:0", "CUDA:1"], listed.Select(d => d.Name));
        Assert.Empty(listed[0].Runs);
        var placed = Assert.Single(listed[1].Runs);
        Assert.Equal((run.Id, "placed"), (placed.RunId, placed.RunName));
        Assert.InRange(placed.EstimatedBytes!.Value, 1 * GiB, 20 * GiB);
        _executor.Release();
        await studio.WaitForStatusAsync(run.Id, RunStatus.Completed);
        Assert.All(await studio.Http.GetFromJsonAsync<List<DeviceStatus>>("/api/devices", TestJson.Options) ?? [], d => Assert.Empty(d.Runs));
    }

    [Fact]
    public async Task Two_queued_runs_train_at_once_one_on_each_device()
    {
        var studio = Start(free0: 20 * GiB, free1: 20 * GiB);
        int model = await studio.ModelIdAsync("SmolLM2-135M"), dataset = (await studio.UploadDatasetAsync()).Id;

        var first = await studio.CreateRunAsync(model, dataset, "first");
        var second = await studio.CreateRunAsync(model, dataset, "second");
        int[] blocked = [await _executor.WaitUntilBlockedAsync(), await _executor.WaitUntilBlockedAsync()];
        var runs = await studio.ListRunsAsync();

        Assert.Equal([first.Id, second.Id], blocked.Order());
        Assert.All(runs, r => Assert.Equal(RunStatus.Running, r.Status));
        Assert.Equal([("first", "CUDA:0"), ("second", "CUDA:1")], _executor.Requests.Select(r => (r.RunName, r.Device!.Name)).Order());
        _executor.Release();
        await studio.WaitForStatusAsync(second.Id, RunStatus.Completed);
    }

    [Fact]
    public async Task A_run_no_device_has_memory_for_stays_queued_and_says_what_it_waits_for()
    {
        var studio = Start(free0: 1 * GiB, free1: 1 * GiB);
        var said = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = _app!.Services.GetRequiredService<TrainingNotifier>().Subscribe(null, updates =>
        {
            foreach (var update in updates)
                if (update.Event is StatusChanged { Status: RunStatus.Queued, Message: { } message } && message.StartsWith("Waiting", StringComparison.Ordinal))
                    said.TrySetResult(message);
            return Task.CompletedTask;
        });

        var run = await studio.CreateRunAsync(await studio.ModelIdAsync("SmolLM2-135M"), (await studio.UploadDatasetAsync()).Id, "waiting");
        string reason = await said.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Matches(@"^Waiting for a device with \d+(\.\d+)? GiB free: CUDA:0 has 1\.0 GiB, CUDA:1 has 1\.0 GiB\.$", reason);
        Assert.Equal(RunStatus.Queued, (await studio.GetRunAsync(run.Id)).Run.Status);
        Assert.Empty(_executor.Requests);
    }

    [Fact]
    public async Task A_run_whose_memory_cannot_be_estimated_goes_to_the_first_free_device_rather_than_holding_up_the_queue()
    {
        var studio = Start(free0: 1 * GiB, free1: 1 * GiB);
        int modelId = await studio.ModelIdAsync("SmolLM2-135M");
        // The folder changed on disk after the studio registered it: the run itself will report what is wrong.
        File.Delete(Path.Combine(_data.ModelsFolder, "SmolLM2-135M", "config.json"));

        var run = await studio.CreateRunAsync(modelId, (await studio.UploadDatasetAsync()).Id, "unreadable");
        await _executor.WaitUntilBlockedAsync();

        Assert.Equal((run.Id, "CUDA:0"), (Assert.Single(_executor.Requests).RunId, _executor.Requests[0].Device!.Name));
    }

    public async ValueTask DisposeAsync()
    {
        _executor.Release();
        if (_app is not null) await _app.DisposeAsync();
        _data.Dispose();
    }
}
