using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace LoraLab.Web.Tests.Apis;

/// <summary>A studio without an executor: runs stay queued, which is all these refusals need.</summary>
public sealed class IdleStudio : IDisposable
{
    readonly TempDataFolder _data = new();

    public IdleStudio()
    {
        _data.AddModel("SmolLM2-135M", TempDataFolder.SmolLm2Config);
        _data.AddModel("broken", TempDataFolder.ConfigWithoutVocabSize);
        Factory = new StudioAppFactory(_data);
        Client = new StudioClient(Factory.CreateClient());
    }

    public StudioAppFactory Factory { get; }
    public StudioClient Client { get; }

    public void Dispose()
    {
        Factory.Dispose();
        _data.Dispose();
    }
}

/// <summary>The runs API's answers to requests it refuses: ProblemDetails that name what is wrong.</summary>
public sealed class RunsApiTests(IdleStudio studio) : IClassFixture<IdleStudio>
{
    readonly StudioClient _studio = studio.Client;

    [Fact]
    public async Task A_run_with_every_field_wrong_gets_400_with_one_error_per_field()
    {
        var response = await _studio.Http.PostAsJsonAsync("/api/runs", new { name = " ", baseModelId = 999, datasetId = 998, method = "magic" });

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("The run is invalid", problem.Title);
        Assert.Equal(["baseModelId", "datasetId", "method", "name"], problem.Errors.Keys.Order());
        Assert.Equal(["A run needs a name."], problem.Errors["name"]);
        Assert.Equal(["There is no base model with id 999."], problem.Errors["baseModelId"]);
        Assert.Equal(["There is no dataset with id 998."], problem.Errors["datasetId"]);
        Assert.Equal(["Unknown method 'magic': use one of lora, dora, qlora, prompt, prefix, ia3, adapter, selective, full."], problem.Errors["method"]);
    }

    async Task<Microsoft.AspNetCore.Http.HttpValidationProblemDetails> RefusedAsync(string method, object configuration)
    {
        int modelId = await _studio.ModelIdAsync("SmolLM2-135M");
        var dataset = await _studio.UploadDatasetAsync();
        var response = await _studio.Http.PostAsJsonAsync("/api/runs", new { name = "r", baseModelId = modelId, datasetId = dataset.Id, method, configuration });
        return await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
    }

    /// <summary>The silent wrong answer this guards against: flat keys were stored, shown on the run page and ignored by the trainer.</summary>
    [Fact]
    public async Task Settings_outside_their_section_are_refused_naming_each_key_and_its_section()
    {
        var problem = await RefusedAsync("lora", new { r = 0, learning_rate = -1, colour = "red" });

        Assert.Equal(["configuration.colour", "configuration.learning_rate", "configuration.r"], problem.Errors.Keys.Order());
        Assert.Equal(["'r' belongs in a section: the configuration holds \"method\", \"training\" and \"data\", e.g. {\"method\": {\"r\": …}}."],
            problem.Errors["configuration.r"]);
        Assert.Contains("{\"training\": {\"learning_rate\": …}}", problem.Errors["configuration.learning_rate"].Single());
        Assert.Equal(["'colour' is no section of a run's configuration: use \"method\", \"training\" and \"data\"."], problem.Errors["configuration.colour"]);
    }

    [Fact]
    public async Task Wrong_settings_in_their_sections_are_refused_at_once_one_error_per_field()
    {
        var problem = await RefusedAsync("lora", new
        {
            method = new { r = 0, rank = 8 },
            training = new { learning_rate = -1, batch_size = 0 },
            data = new { max_length = 1 },
        });

        Assert.Equal(["configuration.method.rank"], problem.Errors.Keys);   // an unknown key stops the section from being read at all
        Assert.StartsWith("'rank' is no method setting; known: ", problem.Errors["configuration.method.rank"].Single());

        problem = await RefusedAsync("lora", new { method = new { r = 0 }, training = new { learning_rate = -1, batch_size = 0 }, data = new { max_length = 1 } });

        Assert.Equal(["configuration.data.max_length", "configuration.method.r", "configuration.training.batch_size", "configuration.training.learning_rate"],
            problem.Errors.Keys.Order());
        Assert.StartsWith("learning_rate must be positive, got -1", problem.Errors["configuration.training.learning_rate"].Single());
        Assert.StartsWith("r must be", problem.Errors["configuration.method.r"].Single());
    }

    [Fact]
    public async Task A_run_stores_its_method_once_and_every_setting_at_the_value_it_trains_with()
    {
        int modelId = await _studio.ModelIdAsync("SmolLM2-135M");
        var dataset = await _studio.UploadDatasetAsync();
        var response = await _studio.Http.PostAsJsonAsync("/api/runs", new
        {
            name = "stored", baseModelId = modelId, datasetId = dataset.Id, method = "dora",
            configuration = new { method = new { method = "dora", r = 8 }, training = new { batch_size = 2 } },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var run = (await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!;
        var details = (await _studio.Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/runs/{(int)run["id"]!}"))!;
        var configuration = details["configuration"]!;

        Assert.Equal("dora", (string?)details["run"]!["method"]);
        Assert.Null(configuration["method"]!["method"]);
        Assert.Equal(8, (int)configuration["method"]!["r"]!);
        Assert.Equal(32, (double)configuration["method"]!["lora_alpha"]!);     // the default DoRA trains with, written out
        Assert.Null(configuration["method"]!["num_virtual_tokens"]);          // a prompt-tuning field DoRA does not read
        Assert.Equal(2, (int)configuration["training"]!["batch_size"]!);
        Assert.Equal(2e-4, (double)configuration["training"]!["learning_rate"]!);
        Assert.Equal(512, (int)configuration["data"]!["max_length"]!);
    }

    [Fact]
    public async Task A_method_named_twice_and_differently_is_refused()
    {
        var problem = await RefusedAsync("lora", new { method = new { method = "dora" } });

        Assert.Equal(["The configuration says method 'dora' but the run's method is 'lora'; give it once."], problem.Errors["configuration.method"]);
    }

    [Fact]
    public async Task A_setting_of_the_wrong_type_is_refused_naming_its_section()
    {
        var problem = await RefusedAsync("lora", new { training = new { batch_size = "lots" } });

        Assert.StartsWith("The training settings cannot be read: ", problem.Errors["configuration.training"].Single());
    }

    [Fact]
    public async Task A_run_without_fields_names_each_missing_one()
    {
        var problem = await ProblemAssert.ReadAsync(await _studio.Http.PostAsJsonAsync("/api/runs", new { }), HttpStatusCode.BadRequest);

        Assert.Equal(["baseModelId", "datasetId", "method", "name"], problem.Errors.Keys.Order());
        Assert.StartsWith("A run needs a base model", problem.Errors["baseModelId"].Single());
    }

    [Fact]
    public async Task A_run_on_a_model_whose_config_is_broken_is_refused_with_the_config_error()
    {
        int brokenId = await _studio.ModelIdAsync("broken");
        var dataset = await _studio.UploadDatasetAsync();

        var response = await _studio.Http.PostAsJsonAsync("/api/runs", new { name = "r", baseModelId = brokenId, datasetId = dataset.Id, method = "lora" });

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.EndsWith("required field 'vocab_size' is missing.", Assert.Single(problem.Errors["baseModelId"]));
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_400_saying_it_could_not_be_read()
    {
        var response = await _studio.Http.PostAsync("/api/runs", new StringContent("{ name: ", Encoding.UTF8, "application/json"));

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("The request could not be read", problem.Title);
        Assert.Contains("NewRun", problem.Detail);
    }

    [Theory]
    [InlineData("GET", "/api/runs/4242")]
    [InlineData("POST", "/api/runs/4242/cancel")]
    [InlineData("POST", "/api/runs/4242/resume")]
    [InlineData("GET", "/api/runs/4242/metrics")]
    public async Task An_unknown_run_gets_404_naming_its_id(string method, string path)
    {
        var problem = await ProblemAssert.ReadAsync(await _studio.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)), HttpStatusCode.NotFound);

        Assert.Equal(("Run not found", "There is no run with id 4242."), (problem.Title, problem.Detail));
    }

    [Fact]
    public async Task An_unknown_api_route_gets_problem_details_not_the_not_found_page()
    {
        await ProblemAssert.ReadAsync(await _studio.Http.GetAsync("/api/nothing-here"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Resuming_a_queued_run_is_a_conflict_that_says_which_states_can_resume()
    {
        var run = await _studio.CreateRunAsync(await _studio.ModelIdAsync("SmolLM2-135M"), (await _studio.UploadDatasetAsync()).Id, "waiting");

        var problem = await ProblemAssert.ReadAsync(await _studio.Http.PostAsync($"/api/runs/{run.Id}/resume", null), HttpStatusCode.Conflict);

        Assert.Equal($"Run {run.Id} ('waiting') is Queued; only interrupted, failed or cancelled runs can be resumed.", problem.Detail);
    }
}
