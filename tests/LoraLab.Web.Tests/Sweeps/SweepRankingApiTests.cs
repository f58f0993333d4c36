using System.Net;
using System.Net.Http.Json;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Sweeps;

namespace LoraLab.Web.Tests.Sweeps;

/// <summary>A sweep whose runs train (with a stand-in whose loss depends on the learning rate) and are ranked when done.</summary>
public sealed class SweepRankingApiTests : IDisposable
{
    readonly TempDataFolder _data = new();
    readonly StudioAppFactory _app;
    readonly StudioClient _studio;

    public SweepRankingApiTests()
    {
        _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        _app = new StudioAppFactory(_data, new LossByLearningRateExecutor());
        _studio = new StudioClient(_app.CreateClient());
    }

    [Fact]
    public async Task Finished_runs_are_ranked_by_lowest_validation_loss_the_best_marked_and_failed_runs_listed_unranked()
    {
        int modelId = await _studio.ModelIdAsync("SmolLM2-135M");
        var dataset = await _studio.UploadDatasetAsync();
        var response = await _studio.Http.PostAsJsonAsync("/api/sweeps", new
        {
            name = "lr", baseModelId = modelId, datasetId = dataset.Id, method = "lora",
            settings = new[]
            {
                new { section = "training", field = "learning_rate", values = new[] { 1e-4, 3e-4, 1e-3 } },
                new { section = "method", field = "r", values = new[] { 4.0, 8.0 } },
            },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<SweepDetails>(TestJson.Options))!;
        foreach (var run in created.Runs)
            await _studio.WaitForStatusAsync(run.RunId, run.Name.Contains("lr=1e-3", StringComparison.Ordinal) ? RunStatus.Failed : RunStatus.Completed);

        var sweep = (await _studio.Http.GetFromJsonAsync<SweepDetails>($"/api/sweeps/{created.Sweep.Id}", TestJson.Options))!;

        Assert.Equal(
            [("lr · lr=3e-4 r=4", 1, 1.204), ("lr · lr=3e-4 r=8", 2, 1.208), ("lr · lr=1e-4 r=4", 3, 1.504), ("lr · lr=1e-4 r=8", 4, 1.508)],
            sweep.Runs.Take(4).Select(r => (r.Name, r.Rank!.Value, Math.Round(r.Metric!.Value, 6))));
        Assert.Equal([true, false, false, false], sweep.Runs.Take(4).Select(r => r.IsBest));
        Assert.All(sweep.Runs.Take(4), r => Assert.NotNull(r.AdapterId));
        Assert.Equal([("lr · lr=1e-3 r=4", RunStatus.Failed), ("lr · lr=1e-3 r=8", RunStatus.Failed)], sweep.Runs.Skip(4).Select(r => (r.Name, r.Status)));
        Assert.All(sweep.Runs.Skip(4), r => Assert.Equal((null, null, false), (r.Rank, r.Metric, r.IsBest)));
        Assert.Equal((sweep.Runs[0].RunId, 4, 6), (sweep.Sweep.BestRunId!.Value, sweep.Sweep.CompletedRuns, sweep.Sweep.RunCount));

        var listed = Assert.Single((await _studio.Http.GetFromJsonAsync<List<SweepSummary>>("/api/sweeps", TestJson.Options))!);
        Assert.Equal((created.Sweep.Id, sweep.Runs[0].RunId), (listed.Id, listed.BestRunId));
    }

    public void Dispose()
    {
        _app.Dispose();
        _data.Dispose();
    }
}
