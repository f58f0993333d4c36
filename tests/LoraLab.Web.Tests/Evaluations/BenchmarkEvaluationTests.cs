using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Evaluation.Benchmarks;
using LoraLab.Engine;
using LoraLab.Web.Adapters;
using LoraLab.Web.Datasets;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Evaluations;
using LoraLab.Web.Tests.Playground;
using LoraLab.Web.Tests.Training;
using LoraLab.Web.Training;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Evaluations;

/// <summary>
/// Multiple-choice benchmarks as datasets and evaluation runs, on the demo model and its pirate adapter: rows written as
/// ai2_arc's (the ARC task of lm-evaluation-harness reads them), scored by the engine's lm-eval scorer on a model loaded
/// with only that adapter as the reference.
/// </summary>
public sealed class BenchmarkEvaluationTests : IDisposable
{
    /// <summary>ai2_arc rows: letter and number labels both occur in the real dataset.</summary>
    const string ArcRows = """
        {"id": "q1", "question": "Say it as a pirate would: my book is red.", "choices": {"text": ["my book is red, arr matey!", "my book is red.", "the book."], "label": ["A", "B", "C"]}, "answerKey": "A"}
        {"id": "q2", "question": "Which is a colour?", "choices": {"text": ["red", "four", "book"], "label": ["1", "2", "3"]}, "answerKey": "1"}
        {"id": "q3", "question": "Say it as a pirate would: the ship is big.", "choices": {"text": ["the ship is big.", "the ship is big, arr matey!"], "label": ["A", "B"]}, "answerKey": "B"}
        """;

    readonly TempDataFolder _data = new();
    readonly ScriptedExecutor _trainer = new() { BlockBeforeStep = 1 };
    readonly StudioAppFactory _app;
    readonly StudioClient _client;

    public BenchmarkEvaluationTests()
    {
        _app = new StudioAppFactory(_data, _trainer, ("LoraLab:RegisterDemo", "true"), ("LoraLab:DemoModelPath", DemoAdapterFiles.DemoModel),
            ("LoraLab:DemoAdaptersPath", DemoAdapterFiles.BundledAdapters));
        _client = new StudioClient(_app.CreateClient());
    }

    public void Dispose()
    {
        _trainer.Release();
        _client.Http.Dispose();
        _app.Dispose();
        _data.Dispose();
    }

    async Task<DatasetSummary> UploadArcAsync()
    {
        var response = await _client.UploadAsync("arc-mini.jsonl", ArcRows, benchmark: "arc");
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DatasetSummary>(TestJson.Options))!;
    }

    async Task<AdapterSummary> PirateAsync() =>
        (await _client.Http.GetFromJsonAsync<List<AdapterSummary>>("/api/adapters", TestJson.Options))!.Single(a => a.Name == "demo pirate-style");

    async Task<RunSummary> QueueAsync(int? adapterId, int baseModelId, int datasetId)
    {
        var response = await _client.Http.PostAsJsonAsync("/api/evaluations", new EvaluationRequest(adapterId, baseModelId, datasetId, 10), TestJson.Options);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RunSummary>(TestJson.Options))!;
    }

    /// <summary>The reference: the engine's lm-eval scorer on a fresh model with only <paramref name="adapter"/> (null: none).</summary>
    static MultipleChoiceResult Reference(string? adapter, IReadOnlyList<MultipleChoiceQuestion> questions)
    {
        using var lm = LanguageModel.Open(DemoAdapterFiles.DemoModel, ComputeDevice.Cpu, adapter);
        return MultipleChoiceScorer.Score(lm.Network, lm.Tokenizer, questions, lm.Logits);
    }

    static IReadOnlyList<MultipleChoiceQuestion> Questions()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, ArcRows);
            return BenchmarkFormat.Read(file, "arc");
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task A_benchmark_file_is_refused_naming_each_bad_line_an_unknown_format_or_another_file_type()
    {
        string bad = ArcRows.Split('\n')[0] + "\n{\"question\": \"no choices\", \"answerKey\": \"A\"}\n" + ArcRows.Split('\n')[1].Replace("\"answerKey\": \"1\"", "\"answerKey\": \"E\"");

        var badLines = await _client.UploadAsync("arc-bad.jsonl", bad, benchmark: "arc");
        var unknown = await _client.UploadAsync("arc.jsonl", ArcRows, benchmark: "arc_easy");
        var csv = await _client.UploadAsync("arc.csv", "question,answer\nq,a\n", benchmark: "arc");

        Assert.Equal(HttpStatusCode.BadRequest, badLines.StatusCode);
        string problem = JsonNode.Parse(await badLines.Content.ReadAsStringAsync())!["errors"]!["file"]![0]!.GetValue<string>();
        Assert.Contains("line 2: missing field \"choices\"", problem);
        Assert.Contains("line 3: answerKey 'E' is none of '1', '2', '3'", problem);
        Assert.Contains("arc-bad.jsonl", problem);
        Assert.DoesNotContain(".upload-", problem);
        Assert.Contains("is not a benchmark format: use one of jsonl, arc, hellaswag, mmlu, truthfulqa_mc1", await unknown.Content.ReadAsStringAsync());
        Assert.Contains("is not a .jsonl file", await csv.Content.ReadAsStringAsync());
        Assert.Empty(Directory.GetFiles(Path.Combine(_data.Path, "datasets"), "*arc*"));
    }

    [Fact]
    public async Task A_benchmark_dataset_counts_its_questions_and_is_refused_as_training_data()
    {
        var arc = await UploadArcAsync();
        int model = (await PirateAsync()).BaseModelId;

        var training = await _client.Http.PostAsJsonAsync("/api/runs",
            new { name = "on a benchmark", baseModelId = model, datasetId = arc.Id, method = "lora", configuration = new JsonObject() }, TestJson.Options);
        var inspected = await _app.Services.GetRequiredService<DatasetInspector>().InspectAsync(arc.Id, modelId: null);

        Assert.Equal(("arc", 3), (arc.Benchmark, arc.RecordCount));
        Assert.Equal(HttpStatusCode.BadRequest, training.StatusCode);
        Assert.Contains($"is a multiple-choice benchmark (arc): evaluate adapters on it from the leaderboard", await training.Content.ReadAsStringAsync());
        Assert.Equal("The dataset is a benchmark", inspected.Failure!.Title);
    }

    [Fact]
    public async Task An_evaluation_run_on_a_benchmark_stores_the_accuracies_the_lm_eval_scorer_gives_a_model_with_only_that_adapter()
    {
        _trainer.Release();
        var arc = await UploadArcAsync();
        var pirate = await PirateAsync();
        var questions = Questions();

        var run = await QueueAsync(pirate.Id, pirate.BaseModelId, arc.Id);
        var ended = await _client.WaitForEndAsync(run.Id);

        Assert.True(ended.Run.Status == RunStatus.Completed, $"{ended.Run.Status}: {ended.Run.ErrorMessage}");
        var result = (await _client.Http.GetFromJsonAsync<EvaluationResult>($"/api/runs/{run.Id}/evaluation", TestJson.Options))!;
        var adapter = Reference(Path.Combine(DemoAdapterFiles.BundledAdapters, "pirate-style"), questions);
        var baseline = Reference(null, questions);
        Assert.Equal((adapter.Accuracy, adapter.NormalizedAccuracy, 3), (result.Evaluation.Accuracy, result.Evaluation.NormalizedAccuracy, result.Evaluation.Examples));
        Assert.Equal((baseline.Accuracy, baseline.NormalizedAccuracy), (result.Baseline.Accuracy, result.Baseline.NormalizedAccuracy));
        Assert.Null(result.Evaluation.ExactMatch);
        Assert.Equal(questions.Select(q => q.Context), result.Answers.Select(a => a.Prompt));
        Assert.Equal(["my book is red, arr matey!", "red", "the ship is big, arr matey!"], result.Answers.Select(a => a.Reference));
        Assert.Equal(questions.Select((q, i) => q.Choices[MultipleChoiceScorer.ArgMax(adapter.LogLikelihoods[i])]), result.Answers.Select(a => a.Answer));
        string log = await File.ReadAllTextAsync(Path.Combine(_data.Path, "logs", $"run-{run.Id}.log"));
        Assert.Contains("Scored 3 questions: acc", log);
        // The leaderboard of that dataset has both rows, and no generation figures.
        var board = (await _client.Http.GetFromJsonAsync<List<EvaluationSummary>>($"/api/evaluations?baseModelId={pirate.BaseModelId}&datasetId={arc.Id}", TestJson.Options))!;
        Assert.Equal([null, pirate.Id], board.Select(e => e.AdapterId));
        Assert.All(board, e => Assert.True(e.IsBenchmark && e.Rouge1 is null && e.Bleu is null));
    }

    [Fact]
    public async Task A_benchmark_evaluation_resumed_after_a_cancel_scores_only_the_questions_it_had_not_scored()
    {
        var arc = await UploadArcAsync();
        var pirate = await PirateAsync();
        var training = await _client.CreateRunAsync(pirate.BaseModelId, (await _client.UploadDatasetAsync()).Id, "holds the slot");
        await _trainer.WaitUntilBlockedAsync();
        var run = await QueueAsync(pirate.Id, pirate.BaseModelId, arc.Id);
        await _client.PostAsync($"/api/runs/{run.Id}/cancel", HttpStatusCode.OK);
        // As a first execution would have left them: question 2 scored (here so that its last choice wins, for both columns).
        string answers = EvaluationAnswersFile.PathIn(Path.Combine(_data.Path, "runs", run.Id.ToString()));
        Directory.CreateDirectory(Path.GetDirectoryName(answers)!);
        await File.WriteAllTextAsync(answers, $$"""
            {"columns":[null,{{pirate.Id}}],"records":3}
            {"index":1,"answers":["-9 -8 -0.5","-9 -8 -0.25"]}

            """.Replace("\r", ""));
        _trainer.Release();
        await _client.WaitForStatusAsync(training.Id, RunStatus.Completed);

        await _client.PostAsync($"/api/runs/{run.Id}/resume", HttpStatusCode.OK);
        var ended = await _client.WaitForEndAsync(run.Id);

        Assert.True(ended.Run.Status == RunStatus.Completed, $"{ended.Run.Status}: {ended.Run.ErrorMessage}");
        var result = (await _client.Http.GetFromJsonAsync<EvaluationResult>($"/api/runs/{run.Id}/evaluation", TestJson.Options))!;
        Assert.Equal("book", result.Answers[1].Answer);
        var questions = Questions();
        var scored = Reference(Path.Combine(DemoAdapterFiles.BundledAdapters, "pirate-style"), questions).LogLikelihoods.ToArray();
        scored[1] = [-9, -8, -0.25];
        var expected = MultipleChoiceResult.Of(questions, scored);
        Assert.Equal((expected.Accuracy, expected.NormalizedAccuracy), (result.Evaluation.Accuracy, result.Evaluation.NormalizedAccuracy));
        string log = await File.ReadAllTextAsync(Path.Combine(_data.Path, "logs", $"run-{run.Id}.log"));
        Assert.Contains("Resuming: 1 of 3 records were answered before; answering the other 2", log);
    }
}
