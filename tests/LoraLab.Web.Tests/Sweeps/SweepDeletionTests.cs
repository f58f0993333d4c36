using System.Net;
using System.Net.Http.Json;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Sweeps;
using LoraLab.Web.Tests.Training;

namespace LoraLab.Web.Tests.Sweeps;

/// <summary>Deleting a sweep while one of its runs trains (a scripted trainer that holds its first run until released).</summary>
public sealed class SweepDeletionTests : IDisposable
{
    readonly TempDataFolder _data = new();
    readonly ScriptedExecutor _trainer = new() { BlockBeforeStep = 1 };
    readonly StudioAppFactory _app;
    readonly StudioClient _studio;

    public SweepDeletionTests()
    {
        _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        _app = new StudioAppFactory(_data, _trainer);
        _studio = new StudioClient(_app.CreateClient());
    }

    [Fact]
    public async Task A_sweep_is_not_deleted_while_one_of_its_runs_trains_and_once_it_ended_goes_with_every_run_and_its_log()
    {
        int modelId = await _studio.ModelIdAsync("SmolLM2-135M");
        var dataset = await _studio.UploadDatasetAsync();
        var response = await _studio.Http.PostAsJsonAsync("/api/sweeps", new
        {
            name = "ranks", baseModelId = modelId, datasetId = dataset.Id, method = "lora",
            settings = new[] { new { section = "method", field = "r", values = new[] { 4.0, 8.0 } } },
        });
        var sweep = (await response.Content.ReadFromJsonAsync<SweepDetails>(TestJson.Options))!;
        int training = await _trainer.WaitUntilBlockedAsync();

        var refused = await _studio.Http.DeleteAsync($"/api/sweeps/{sweep.Sweep.Id}");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains($"Run {training} ('ranks · r=4') of sweep 'ranks' is running; cancel it before deleting the sweep.", await refused.Content.ReadAsStringAsync());
        Assert.Equal(2, (await _studio.Http.GetFromJsonAsync<SweepDetails>($"/api/sweeps/{sweep.Sweep.Id}", TestJson.Options))!.Runs.Count);

        _trainer.Release();
        foreach (var run in sweep.Runs) await _studio.WaitForStatusAsync(run.RunId, RunStatus.Completed);
        Assert.Equal(HttpStatusCode.OK, (await _studio.Http.DeleteAsync($"/api/sweeps/{sweep.Sweep.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await _studio.Http.GetAsync($"/api/sweeps/{sweep.Sweep.Id}")).StatusCode);
        foreach (var run in sweep.Runs)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await _studio.Http.GetAsync($"/api/runs/{run.RunId}")).StatusCode);
            Assert.False(File.Exists(Path.Combine(_data.Path, "logs", $"run-{run.RunId}.log")));
        }
        // The adapters the runs produced stay in the library.
        var adapters = await _studio.Http.GetFromJsonAsync<List<LoraLab.Web.Adapters.AdapterSummary>>("/api/adapters", TestJson.Options);
        Assert.Equal(2, adapters!.Count(a => a.Name.StartsWith("ranks · ", StringComparison.Ordinal)));
    }

    public void Dispose()
    {
        _studio.Http.Dispose();
        _app.Dispose();
        _data.Dispose();
    }
}
