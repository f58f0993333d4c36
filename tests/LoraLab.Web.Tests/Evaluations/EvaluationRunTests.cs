using System.Net;
using System.Net.Http.Json;
using LoraLab.Engine.Evaluation.Metrics;
using LoraLab.Web.Adapters;
using LoraLab.Web.Datasets;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Evaluations;
using LoraLab.Web.Tests.Playground;
using LoraLab.Web.Tests.Training;
using LoraLab.Web.Training;

namespace LoraLab.Web.Tests.Evaluations;

/// <summary>
/// Evaluation runs in the run queue of a studio with one device slot, beside training runs (a scripted trainer that
/// holds the slot until released), on the demo model, its trained adapters and task datasets.
/// </summary>
public sealed class EvaluationRunTests : IDisposable
{
    readonly TempDataFolder _data = new();
    readonly ScriptedExecutor _trainer = new() { BlockBeforeStep = 1 };
    readonly StudioAppFactory _app;
    readonly StudioClient _client;

    public EvaluationRunTests()
    {
        string datasets = Path.Combine(Path.GetDirectoryName(DemoAdapterFiles.DemoModel)!, "datasets");
        _app = new StudioAppFactory(_data, _trainer, ("LoraLab:RegisterDemo", "true"), ("LoraLab:DemoModelPath", DemoAdapterFiles.DemoModel),
            ("LoraLab:DemoDatasetsPath", datasets), ("LoraLab:DemoAdaptersPath", DemoAdapterFiles.BundledAdapters));
        _client = new StudioClient(_app.CreateClient());
    }

    async Task<RunSummary> QueueEvaluationAsync(int adapterId, int baseModelId, int datasetId, int maxExamples)
    {
        var response = await _client.Http.PostAsJsonAsync("/api/evaluations", new EvaluationRequest(adapterId, baseModelId, datasetId, maxExamples), TestJson.Options);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RunSummary>(TestJson.Options))!;
    }

    async Task<T> FindAsync<T>(string path, Func<T, bool> which) =>
        (await _client.Http.GetFromJsonAsync<List<T>>(path, TestJson.Options))!.Single(which);

    [Fact]
    public async Task An_evaluation_waits_behind_a_training_run_and_resumed_after_a_cancel_answers_only_the_records_it_had_not_answered()
    {
        var adapter = await FindAsync<AdapterSummary>("/api/adapters", a => a.Name == "demo extract-name");
        var evalSet = await FindAsync<DatasetSummary>("/api/datasets", d => d.Name == "demo extract-name-eval");
        var training = await _client.CreateRunAsync(adapter.BaseModelId, evalSet.Id, "training first");
        Assert.Equal(training.Id, await _trainer.WaitUntilBlockedAsync());

        // The only slot trains: the evaluation waits in the same queue, and can be cancelled there.
        var evaluation = await QueueEvaluationAsync(adapter.Id, adapter.BaseModelId, evalSet.Id, maxExamples: 4);
        Assert.Equal((RunStatus.Queued, 1, EvaluationRunSpec.MethodKind), (evaluation.Status, evaluation.QueuePosition, evaluation.Method));
        await Task.Delay(500);
        Assert.Equal(RunStatus.Queued, (await _client.GetRunAsync(evaluation.Id)).Run.Status);
        await _client.PostAsync($"/api/runs/{evaluation.Id}/cancel", HttpStatusCode.OK);

        // As an earlier execution cut short would have left them: record 2 answered, record 3's line cut mid-write.
        string answers = EvaluationAnswersFile.PathIn(Path.Combine(_data.Path, "runs", evaluation.Id.ToString()));
        Directory.CreateDirectory(Path.GetDirectoryName(answers)!);
        await File.WriteAllTextAsync(answers, $$"""
            {"columns":[null,{{adapter.Id}}],"records":4}
            {"index":2,"answers":["kept by the base","kept by the adapter"]}
            {"index":3,"answ
            """.Replace("\r", "").TrimEnd('\n'));
        _trainer.Release();
        await _client.WaitForStatusAsync(training.Id, RunStatus.Completed);

        await _client.PostAsync($"/api/runs/{evaluation.Id}/resume", HttpStatusCode.OK);
        var ended = await _client.WaitForEndAsync(evaluation.Id);
        Assert.True(ended.Run.Status == RunStatus.Completed, $"{ended.Run.Status}: {ended.Run.ErrorMessage}");

        var result = (await _client.Http.GetFromJsonAsync<EvaluationResult>($"/api/runs/{evaluation.Id}/evaluation", TestJson.Options))!;
        Assert.Equal(4, result.Answers.Count);
        Assert.Equal("kept by the adapter", result.Answers[2].Answer);
        Assert.All(new[] { 0, 1, 3 }, i => Assert.False(string.IsNullOrWhiteSpace(result.Answers[i].Answer)));
        Assert.DoesNotContain("answ", result.Answers[3].Answer);
        var recomputed = GenerationMetrics.Score(result.Answers.Select(a => a.Answer).ToList(), result.Answers.Select(a => a.Reference).ToList());
        Assert.Equal(recomputed.ExactMatch, result.Evaluation.ExactMatch!.Value, 12);
        Assert.Equal(4, result.Baseline.Examples);
        string log = await File.ReadAllTextAsync(Path.Combine(_data.Path, "logs", $"run-{evaluation.Id}.log"));
        Assert.Contains("Resuming: 1 of 4 records were answered before; answering the other 3", log);
        Assert.Contains("Scored 4 records: exact match", log);
        // Its figures are the leaderboard's row for the adapter on that dataset.
        var board = await _client.Http.GetFromJsonAsync<List<EvaluationSummary>>($"/api/evaluations?baseModelId={adapter.BaseModelId}&datasetId={evalSet.Id}", TestJson.Options);
        Assert.Equal(result.Evaluation.Id, board!.Single(e => e.AdapterId == adapter.Id).Id);
    }

    [Fact]
    public async Task An_evaluation_whose_adapter_was_deleted_while_it_waited_fails_saying_so_and_the_queue_goes_on()
    {
        var pirate = await FindAsync<AdapterSummary>("/api/adapters", a => a.Name == "demo pirate-style");
        var evalSet = await FindAsync<DatasetSummary>("/api/datasets", d => d.Name == "demo pirate-style-eval");
        var training = await _client.CreateRunAsync(pirate.BaseModelId, evalSet.Id, "holds the slot");
        await _trainer.WaitUntilBlockedAsync();
        var doomed = await QueueEvaluationAsync(pirate.Id, pirate.BaseModelId, evalSet.Id, maxExamples: 2);
        var next = await _client.CreateRunAsync(pirate.BaseModelId, evalSet.Id, "after it");

        Assert.Equal(HttpStatusCode.OK, (await _client.Http.DeleteAsync($"/api/adapters/{pirate.Id}")).StatusCode);
        _trainer.Release();

        var failed = await _client.WaitForStatusAsync(doomed.Id, RunStatus.Failed);
        Assert.Equal("The adapter is gone: Adapter " + pirate.Id + " was deleted after this evaluation was queued.", failed.Run.ErrorMessage);
        await _client.WaitForStatusAsync(next.Id, RunStatus.Completed);
        await _client.WaitForStatusAsync(training.Id, RunStatus.Completed);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.Http.GetAsync($"/api/runs/{doomed.Id}/evaluation")).StatusCode);
    }

    [Fact]
    public async Task An_evaluation_cancelled_while_it_answers_keeps_only_whole_answers_of_the_batches_it_finished()
    {
        _trainer.Release();
        var pirate = await FindAsync<AdapterSummary>("/api/adapters", a => a.Name == "demo pirate-style");
        var trainSet = await FindAsync<DatasetSummary>("/api/datasets", d => d.Name == "demo pirate-style-train");
        var evaluation = await QueueEvaluationAsync(pirate.Id, pirate.BaseModelId, trainSet.Id, maxExamples: 1000);
        string folder = Path.Combine(_data.Path, "runs", evaluation.Id.ToString());

        // Cancelled once a first batch is on disk, most likely in the middle of the next one.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (EvaluationAnswersFile.Count(folder) is not { Answered: > 0 })
        {
            Assert.True(DateTime.UtcNow < deadline, "no batch was answered within 60 s");
            await Task.Delay(20);
        }
        await _client.PostAsync($"/api/runs/{evaluation.Id}/cancel", HttpStatusCode.Accepted);   // stops at its next step
        Assert.Equal(RunStatus.Cancelled, (await _client.WaitForEndAsync(evaluation.Id)).Run.Status);

        // The pirate adapter ends every answer to its own training task with "arr matey!": a row cut short would not.
        var kept = File.ReadLines(EvaluationAnswersFile.PathIn(folder)).Skip(1)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("answers")[1].GetString()!).ToList();
        Assert.InRange(kept.Count, 1, 999);
        Assert.All(kept, answer => Assert.EndsWith("arr matey!", answer));
    }

    public void Dispose()
    {
        _client.Http.Dispose();
        _app.Dispose();
        _data.Dispose();
    }
}
