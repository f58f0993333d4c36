using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Sweeps;
using LoraLab.Web.Tests.Apis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Sweeps;

/// <summary>Queuing sweeps through the API on a studio without an executor: their runs stay queued.</summary>
public sealed class SweepsApiTests(IdleStudio studio) : IClassFixture<IdleStudio>
{
    readonly StudioClient _studio = studio.Client;

    static readonly JsonObject BaseConfiguration = new()
    {
        ["method"] = new JsonObject { ["r"] = 16, ["lora_alpha"] = 32 },
        ["training"] = new JsonObject { ["batch_size"] = 2, ["learning_rate"] = 2e-4 },
    };

    async Task<HttpResponseMessage> PostAsync(object settings, JsonObject? configuration = null, string mode = "grid", int? budget = null, int? seed = null, string? rankMetric = null)
    {
        int modelId = await _studio.ModelIdAsync("SmolLM2-135M");
        var dataset = await _studio.UploadDatasetAsync();
        return await _studio.Http.PostAsJsonAsync("/api/sweeps", new
        {
            name = "smol", baseModelId = modelId, datasetId = dataset.Id, method = "lora",
            configuration = (configuration ?? BaseConfiguration).DeepClone(), settings, mode, budget, seed, rankMetric,
        });
    }

    [Fact]
    public async Task A_grid_sweep_queues_one_run_per_combination_with_its_values_in_the_configuration_and_the_sweeps_id()
    {
        var response = await PostAsync(new[]
        {
            new { section = "method", field = "r", values = new[] { 4.0, 8.0 } },
            new { section = "training", field = "learning_rate", values = new[] { 1e-4, 3e-4 } },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var sweep = (await response.Content.ReadFromJsonAsync<SweepDetails>(TestJson.Options))!;
        Assert.Equal($"/api/sweeps/{sweep.Sweep.Id}", response.Headers.Location!.OriginalString);
        Assert.Equal((4, SweepMode.Grid, "eval_loss", null), (sweep.Sweep.RunCount, sweep.Sweep.Mode, sweep.Sweep.RankMetric, sweep.Sweep.BestRunId));
        Assert.Equal(["smol · r=4 lr=1e-4", "smol · r=4 lr=3e-4", "smol · r=8 lr=1e-4", "smol · r=8 lr=3e-4"], sweep.Runs.Select(r => r.Name));
        Assert.All(sweep.Runs, r => Assert.Equal((RunStatus.Queued, null, false), (r.Status, r.Rank, r.IsBest)));
        foreach (var run in sweep.Runs)
        {
            var details = await _studio.GetRunAsync(run.RunId);
            var configuration = details.Configuration;
            Assert.Equal(run.Values["method.r"], (double)configuration["method"]!["r"]!);
            Assert.Equal(run.Values["training.learning_rate"], (double)configuration["training"]!["learning_rate"]!);
            Assert.Equal((32, 2), ((int)configuration["method"]!["lora_alpha"]!, (int)configuration["training"]!["batch_size"]!));
            Assert.Equal(RunStatus.Queued, details.Run.Status);
            Assert.Equal(sweep.Sweep.Id, (await _studio.GetRunAsync(run.RunId)).Run.SweepId);   // the run page links back to it
        }
        Assert.Equal([(4.0, 1e-4), (4.0, 3e-4), (8.0, 1e-4), (8.0, 3e-4)], sweep.Runs.Select(r => (r.Values["method.r"]!.Value, r.Values["training.learning_rate"]!.Value)));
    }

    [Fact]
    public async Task A_random_sweep_queues_its_budget_and_keeps_the_seed_it_drew_with()
    {
        var response = await PostAsync(new[] { new { section = "training", field = "learning_rate", values = new[] { 1e-5, 3e-5, 1e-4, 3e-4, 1e-3 } } },
            mode: "random", budget: 3, seed: 5);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var sweep = (await response.Content.ReadFromJsonAsync<SweepDetails>(TestJson.Options))!;
        Assert.Equal((SweepMode.Random, 3, 5, 3), (sweep.Sweep.Mode, sweep.Sweep.Budget, sweep.Sweep.Seed, sweep.Runs.Count));
        var expected = SweepPlan.Expand([new SweptSetting("training", "learning_rate", [1e-5, 3e-5, 1e-4, 3e-4, 1e-3])], SweepMode.Random, 3, 5).Points;
        Assert.Equal(expected.Select(p => $"smol · {p.Label}"), sweep.Runs.Select(r => r.Name));
    }

    [Fact]
    public async Task A_value_one_combination_cannot_train_with_gets_400_naming_the_setting_and_combination_and_queues_nothing()
    {
        int before = (await _studio.ListRunsAsync()).Count;

        var response = await PostAsync(new[]
        {
            new { section = "method", field = "r", values = new[] { 8.0, 0.0 } },
            new { section = "training", field = "learning_rate", values = new[] { 1e-4, 3e-4 } },
        });

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("The sweep is invalid", problem.Title);
        Assert.Equal(["settings[0].values"], problem.Errors.Keys);
        Assert.Equal(2, problem.Errors["settings[0].values"].Length);
        Assert.StartsWith("r=0 lr=1e-4: r must be", problem.Errors["settings[0].values"][0]);
        Assert.StartsWith("r=0 lr=3e-4: r must be", problem.Errors["settings[0].values"][1]);
        Assert.Equal(before, (await _studio.ListRunsAsync()).Count);
    }

    [Fact]
    public async Task A_wrong_setting_every_run_shares_is_said_once_under_its_configuration_key()
    {
        var configuration = new JsonObject { ["training"] = new JsonObject { ["batch_size"] = 0 } };

        var response = await PostAsync(new[] { new { section = "method", field = "r", values = new[] { 4.0, 8.0 } } }, configuration);

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["configuration.training.batch_size"], problem.Errors.Keys);
        Assert.Equal(["batch_size must be positive, got 0."], problem.Errors["configuration.training.batch_size"]);
    }

    [Fact]
    public async Task A_sweep_with_every_field_wrong_names_each_one()
    {
        var response = await _studio.Http.PostAsJsonAsync("/api/sweeps", new
        {
            name = "", baseModelId = 999, datasetId = 998, method = "lora", rankMetric = "accuracy",
            settings = new[] { new { section = "method", field = "rank", values = new[] { 8.0 } } },
        });

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["baseModelId", "datasetId", "name", "rankMetric", "settings[0].field"], problem.Errors.Keys.Order());
        Assert.Equal(["There is no base model with id 999."], problem.Errors["baseModelId"]);
        Assert.Equal(["Unknown metric 'accuracy': use one of eval_loss, train_loss, perplexity."], problem.Errors["rankMetric"]);
        Assert.StartsWith("'rank' is no numeric method setting of lora; one of r, lora_alpha, lora_dropout", problem.Errors["settings[0].field"].Single());
    }

    [Fact]
    public async Task An_unknown_sweep_gets_404_naming_its_id()
    {
        var problem = await ProblemAssert.ReadAsync(await _studio.Http.GetAsync("/api/sweeps/4242"), HttpStatusCode.NotFound);

        Assert.Equal(("Sweep not found", "There is no sweep with id 4242."), (problem.Title, problem.Detail));
    }
}
