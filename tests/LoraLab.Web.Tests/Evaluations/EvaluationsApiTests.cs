using System.Net;
using System.Net.Http.Json;
using System.Text;
using LoraLab.Engine.Evaluation.Metrics;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Datasets;
using LoraLab.Web.Evaluations;
using LoraLab.Web.Playground;
using LoraLab.Web.Training;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Evaluations;

/// <summary>Evaluations through the API, on the demo model, its trained adapters and its task datasets.</summary>
public sealed class EvaluationsApiTests(EvaluationStudio studio) : IClassFixture<EvaluationStudio>
{
    async Task<HttpResponseMessage> PostAsync(int? adapterId, int baseModelId, int datasetId, int? maxExamples = 32) =>
        await studio.Http.PostAsJsonAsync("/api/evaluations", new EvaluationRequest(adapterId, baseModelId, datasetId, maxExamples), TestJson.Options);

    /// <summary>Queues the evaluation run, waits for it to complete and reads what it evaluated.</summary>
    async Task<EvaluationResult> EvaluateAsync(int? adapterId, int baseModelId, int datasetId, int? maxExamples = 32)
    {
        var response = await PostAsync(adapterId, baseModelId, datasetId, maxExamples);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var run = (await response.Content.ReadFromJsonAsync<RunSummary>(TestJson.Options))!;
        Assert.Equal(RunKind.Evaluation, run.Kind);
        Assert.Equal($"/api/runs/{run.Id}", response.Headers.Location?.ToString());
        var ended = await new StudioClient(studio.Http).WaitForEndAsync(run.Id);
        Assert.True(ended.Run.Status == RunStatus.Completed, $"{ended.Run.Status}: {ended.Run.ErrorMessage}");
        return (await studio.Http.GetFromJsonAsync<EvaluationResult>($"/api/runs/{run.Id}/evaluation", TestJson.Options))!;
    }

    [Fact]
    public async Task The_extract_name_adapter_scores_exact_match_far_above_the_baseline_on_its_own_task()
    {
        var name = await studio.AdapterAsync("demo extract-name");
        var data = await studio.DatasetAsync("demo extract-name-eval");

        var result = await EvaluateAsync(name.Id, name.BaseModelId, data.Id);

        Assert.Equal(32, result.Evaluation.Examples);
        Assert.Equal(32, result.Baseline.Examples);
        Assert.True(result.Baseline.IsBaseline);
        Assert.Equal("demo extract-name", result.Evaluation.Name);
        Assert.True(result.Evaluation.ExactMatch >= result.Baseline.ExactMatch + 0.5,
            $"adapter {result.Evaluation.ExactMatch:P0} vs base {result.Baseline.ExactMatch:P0}");
        Assert.True(result.Evaluation.RougeL > result.Baseline.RougeL);
    }

    [Fact]
    public async Task The_stored_figures_are_GenerationMetrics_of_the_returned_answers_and_those_are_the_playground_answers()
    {
        var number = await studio.AdapterAsync("demo extract-number");
        var data = await studio.DatasetAsync("demo extract-number-eval");

        var result = await EvaluateAsync(number.Id, number.BaseModelId, data.Id, maxExamples: 8);
        var board = await studio.Http.GetFromJsonAsync<List<EvaluationSummary>>($"/api/evaluations?baseModelId={number.BaseModelId}&datasetId={data.Id}", TestJson.Options);

        var recomputed = GenerationMetrics.Score(result.Answers.Select(a => a.Answer).ToList(), result.Answers.Select(a => a.Reference).ToList());
        var stored = board!.Single(r => r.AdapterId == number.Id);
        Assert.Equal(recomputed.ExactMatch, stored.ExactMatch!.Value, 12);
        Assert.Equal(recomputed.Rouge2, stored.Rouge2!.Value, 12);
        Assert.Equal(recomputed.Bleu, stored.Bleu!.Value, 12);
        Assert.Equal(8, result.Answers.Count);
        Assert.Equal("the number is 14.", result.Answers[0].Reference);

        var playground = await studio.Http.PostAsJsonAsync("/api/playground/generate", new PlaygroundRequest(number.BaseModelId, [new PlaygroundColumn(number.Id)],
            PlaygroundPrompt.Chat("What number is in the sentence?\n\nnoah saw 14 ducks at the market.")), TestJson.Options);
        var answer = (await playground.Content.ReadFromJsonAsync<PlaygroundAnswers>(TestJson.Options))!;
        Assert.Equal(answer.Columns[0].Text.Trim(), result.Answers[0].Answer);
    }

    [Fact]
    public async Task The_baseline_is_computed_once_per_base_model_and_dataset_and_every_adapter_is_shown_beside_it()
    {
        var name = await studio.AdapterAsync("demo extract-name");
        var pirate = await studio.AdapterAsync("demo pirate-style");
        var data = await studio.DatasetAsync("demo pirate-style-eval");

        var first = await EvaluateAsync(null, name.BaseModelId, data.Id, maxExamples: 6);
        var again = await EvaluateAsync(null, name.BaseModelId, data.Id, maxExamples: 6);
        var withPirate = await EvaluateAsync(pirate.Id, name.BaseModelId, data.Id, maxExamples: 6);
        await EvaluateAsync(name.Id, name.BaseModelId, data.Id, maxExamples: 6);
        var board = (await studio.Http.GetFromJsonAsync<List<EvaluationSummary>>($"/api/evaluations?baseModelId={name.BaseModelId}&datasetId={data.Id}", TestJson.Options))!;

        Assert.Equal(first.Evaluation.Id, again.Evaluation.Id);
        Assert.Equal(first.Evaluation.CreatedAt, again.Evaluation.CreatedAt);
        Assert.Equal(first.Evaluation.Id, withPirate.Baseline.Id);
        Assert.Equal([null, pirate.Id, name.Id], board.Select(r => r.AdapterId));
        Assert.Equal("demo pirate-style-eval", board[0].DatasetName);
        Assert.True(board[1].ExactMatch > board[0].ExactMatch, $"pirate {board[1].ExactMatch:P0} vs base {board[0].ExactMatch:P0}");
    }

    [Fact]
    public async Task Each_evaluation_run_answers_with_its_own_figures_until_a_later_run_on_the_same_records_replaces_them()
    {
        var number = await studio.AdapterAsync("demo extract-number");
        var data = await studio.DatasetAsync("demo extract-name-eval");

        var first = await EvaluateAsync(number.Id, number.BaseModelId, data.Id, maxExamples: 3);
        int firstRun = first.Evaluation.AnsweredByRunId!.Value;
        var second = await EvaluateAsync(number.Id, number.BaseModelId, data.Id, maxExamples: 3);

        Assert.NotEqual(firstRun, second.Evaluation.AnsweredByRunId);
        var replaced = await ProblemAssert.ReadAsync(await studio.Http.GetAsync($"/api/runs/{firstRun}/evaluation"), HttpStatusCode.NotFound);
        Assert.Contains("replaced its scores", replaced.Detail);
        var board = await studio.Http.GetFromJsonAsync<List<EvaluationSummary>>($"/api/evaluations?baseModelId={number.BaseModelId}&datasetId={data.Id}", TestJson.Options);
        Assert.Equal(second.Evaluation.AnsweredByRunId, board!.Single(e => e.AdapterId == number.Id).AnsweredByRunId);
    }

    [Fact]
    public async Task A_dataset_without_answers_an_adapter_of_another_base_and_a_bad_count_are_refused_with_the_reason()
    {
        var name = await studio.AdapterAsync("demo extract-name");
        var data = await studio.DatasetAsync("demo extract-name-eval");
        var store = studio.Factory.Services.GetRequiredService<DatasetStore>();
        var text = await store.AddAsync("notes.jsonl", "notes", new MemoryStream(Encoding.UTF8.GetBytes("{\"text\": \"just some text\"}\n{\"text\": \"more text\"}\n")), Caller.Local);
        int otherBase = name.BaseModelId + 1000;

        var noAnswers = await ProblemAssert.ReadAsync(await PostAsync(null, name.BaseModelId, text.Value!.Id), HttpStatusCode.BadRequest);
        var wrongBase = await ProblemAssert.ReadAsync(await PostAsync(name.Id, otherBase, data.Id), HttpStatusCode.BadRequest);
        var badCount = await ProblemAssert.ReadAsync(await PostAsync(name.Id, name.BaseModelId, data.Id, maxExamples: 0), HttpStatusCode.BadRequest);

        Assert.StartsWith("Dataset 'notes' holds no record with an answer", noAnswers.Errors["datasetId"][0]);
        Assert.StartsWith("Adapter 'demo extract-name' was trained on", wrongBase.Errors["adapterId"][0]);
        Assert.Equal("Evaluate between 1 and 1000 records; got 0.", badCount.Errors["maxExamples"][0]);
    }
}
