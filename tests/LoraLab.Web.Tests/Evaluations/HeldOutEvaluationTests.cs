using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Training;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Evaluations;
using LoraLab.Web.Models;
using LoraLab.Web.Tests.Playground;
using LoraLab.Web.Training;

namespace LoraLab.Web.Tests.Evaluations;

/// <summary>
/// A run's adapter evaluated on the records the run held out for validation, on the demo model trained for real by the
/// engine's executor for two steps (the figures need not be good; the records must be the held-out ones).
/// </summary>
public sealed class HeldOutEvaluationTests : IAsyncLifetime
{
    readonly TempDataFolder _data = new();
    readonly string _noAdapters = Directory.CreateTempSubdirectory("loralab-no-demo-adapters-").FullName;
    StudioAppFactory _app = null!;
    StudioClient _client = null!;

    public Task InitializeAsync()
    {
        _app = new StudioAppFactory(_data, new EngineRunExecutor(ComputeDevice.Cpu), ("LoraLab:RegisterDemo", "true"),
            ("LoraLab:DemoModelPath", DemoAdapterFiles.DemoModel), ("LoraLab:DemoDatasetsPath", _noAdapters), ("LoraLab:DemoAdaptersPath", _noAdapters));
        _client = new StudioClient(_app.CreateClient());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Http.Dispose();
        await _app.DisposeAsync();
        _data.Dispose();
        Directory.Delete(_noAdapters, recursive: true);
    }

    static readonly string[] Records = File.ReadLines(Path.Combine(Path.GetDirectoryName(DemoAdapterFiles.DemoModel)!, "datasets", "pirate-style-train.jsonl")).Take(40).ToArray();

    async Task<RunDetails> TrainAsync(string name, double validationFraction)
    {
        var models = await _client.Http.GetFromJsonAsync<List<ModelSummary>>("/api/models", TestJson.Options);
        var dataset = await _client.UploadDatasetAsync($"{name}.jsonl", string.Join('\n', Records));
        var configuration = new JsonObject
        {
            ["method"] = new JsonObject { ["r"] = 4 },
            ["training"] = new JsonObject { ["max_steps"] = 2, ["batch_size"] = 2, ["seed"] = 11 },
            ["data"] = new JsonObject { ["validation_fraction"] = validationFraction, ["max_length"] = 64 },
        };
        var response = await _client.Http.PostAsJsonAsync("/api/runs", new NewRun(name, models!.Single().Id, dataset.Id, "lora", configuration), TestJson.Options);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var run = (await response.Content.ReadFromJsonAsync<RunSummary>(TestJson.Options))!;
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            var details = await _client.GetRunAsync(run.Id);
            if (details.Run.Status == RunStatus.Completed && details.AdapterId is not null) return details;
            Assert.True(details.Run.Status is RunStatus.Queued or RunStatus.Running or RunStatus.Completed, $"run {run.Id} is {details.Run.Status}: {details.Run.ErrorMessage}");
            Assert.True(DateTime.UtcNow < deadline, $"run {run.Id} is still {details.Run.Status} after 5 minutes");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task The_adapter_and_the_baseline_answer_exactly_the_records_the_run_held_out_and_the_leaderboard_keeps_to_the_dataset()
    {
        var run = await TrainAsync("held-out", validationFraction: 0.25);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.Http.GetAsync($"/api/runs/{run.Run.Id}/evaluation")).StatusCode);

        var response = await _client.Http.PostAsJsonAsync($"/api/runs/{run.Run.Id}/evaluation", new RunEvaluationRequest(MaxExamples: 4), TestJson.Options);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var evaluationRun = (await response.Content.ReadFromJsonAsync<RunSummary>(TestJson.Options))!;
        Assert.Equal(RunKind.Evaluation, evaluationRun.Kind);
        var ended = await _client.WaitForEndAsync(evaluationRun.Id);
        Assert.True(ended.Run.Status == RunStatus.Completed, $"{ended.Run.Status}: {ended.Run.ErrorMessage}");
        var result = (await _client.Http.GetFromJsonAsync<EvaluationResult>($"/api/runs/{evaluationRun.Id}/evaluation", TestJson.Options))!;

        // The run held out 10 of the 40 records (a quarter, split by its seed 11); the first 4 of them, in file order, were answered.
        string file = await _app.DatasetFileAsync(run.Run.DatasetId!.Value);
        var heldOut = HeldOutRecords.Read(file, new DataOptions { ValidationFraction = 0.25 }, seed: 11);
        Assert.Equal(10, heldOut.Count);
        var expectedReferences = heldOut.Take(4).Select(r => r.Messages![^1].Content).ToList();
        Assert.Equal(expectedReferences, result.Answers.Select(a => a.Reference));
        Assert.All(result.Answers, a => Assert.Contains(Records, line => line.Contains(a.Reference, StringComparison.Ordinal)));
        Assert.Equal((4, 4), (result.Evaluation.Examples, result.Baseline.Examples));
        Assert.Equal((run.Run.Id, run.Run.Id), (result.Evaluation.RunId, result.Baseline.RunId));
        Assert.Equal(run.AdapterId, result.Evaluation.AdapterId);
        Assert.True(result.Baseline.IsBaseline);

        // The scores join the training run's TensorBoard curves: a new event file whose summary values (summary.proto:
        // tag = field 1, simple_value = float field 2) carry them, the adapter's under eval/, the base model's under baseline/.
        var events = Directory.GetFiles(Path.Combine(_data.Path, "runs", run.Run.Id.ToString(), "tensorboard"), "events.out.tfevents.*")
            .Select(File.ReadAllBytes).ToList();
        Assert.Contains(events, bytes => HasScalar(bytes, "eval/exact_match", result.Evaluation.ExactMatch!.Value) && HasScalar(bytes, "eval/rougeL", result.Evaluation.RougeL!.Value)
            && HasScalar(bytes, "baseline/bleu", result.Baseline.Bleu!.Value));

        var ofAnEvaluation = await ProblemAssert.ReadAsync(await _client.Http.PostAsJsonAsync($"/api/runs/{evaluationRun.Id}/evaluation", new RunEvaluationRequest(), TestJson.Options), HttpStatusCode.Conflict);
        Assert.Contains("is an evaluation run: it trained no adapter", ofAnEvaluation.Detail);

        var stored = await _client.Http.GetFromJsonAsync<EvaluationResult>($"/api/runs/{run.Run.Id}/evaluation", TestJson.Options);
        Assert.Equal((result.Evaluation.Id, result.Baseline.Id), (stored!.Evaluation.Id, stored.Baseline.Id));
        var board = await _client.Http.GetFromJsonAsync<List<EvaluationSummary>>($"/api/evaluations?baseModelId={run.Run.BaseModelId}&datasetId={run.Run.DatasetId}", TestJson.Options);
        Assert.Empty(board!);
    }

    /// <summary>Whether <paramref name="eventFile"/> holds a summary value of <paramref name="tag"/> with the float <paramref name="value"/>, encoded as protobuf encodes it.</summary>
    static bool HasScalar(byte[] eventFile, string tag, double value)
    {
        byte[] tagBytes = System.Text.Encoding.UTF8.GetBytes(tag);
        byte[] encoded = [0x0A, (byte)tagBytes.Length, .. tagBytes, 0x15, .. BitConverter.GetBytes((float)value)];
        return eventFile.AsSpan().IndexOf(encoded) >= 0;
    }

    [Fact]
    public async Task A_run_that_held_out_nothing_an_unknown_run_and_a_bad_count_are_refused_by_name()
    {
        var run = await TrainAsync("every-record", validationFraction: 0);

        var nothing = await _client.Http.PostAsJsonAsync($"/api/runs/{run.Run.Id}/evaluation", new RunEvaluationRequest(), TestJson.Options);
        var unknown = await _client.Http.PostAsJsonAsync("/api/runs/999/evaluation", new RunEvaluationRequest(), TestJson.Options);
        var count = await _client.Http.PostAsJsonAsync($"/api/runs/{run.Run.Id}/evaluation", new RunEvaluationRequest(MaxExamples: 0), TestJson.Options);

        Assert.Equal(HttpStatusCode.Conflict, nothing.StatusCode);
        Assert.Contains("validation_fraction 0", await nothing.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, count.StatusCode);
        Assert.Contains("maxExamples", await count.Content.ReadAsStringAsync());
    }
}
