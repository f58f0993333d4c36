using Bunit;
using LoraLab.Engine.Evaluation.Metrics;
using LoraLab.Web.Accounts;
using LoraLab.Web.Adapters;
using LoraLab.Web.Components.Pages.Evaluations;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Devices;
using LoraLab.Web.Evaluations;
using LoraLab.Engine.Devices;
using LoraLab.Web.Training;
using LoraLab.Web.Storage;
using LoraLab.Web.Tests.Playground;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Tests.Components.Evaluations;

/// <summary>
/// The leaderboard and the adapter page's evaluations, on the bundled demo model and two of its trained adapters; the
/// studio's training service runs (without a training executor), so queued evaluation runs are answered.
/// </summary>
public sealed class LeaderboardPageTests : StudioComponentContext
{
    readonly AdapterStore _adapters;
    readonly EvaluationStore _evaluations;
    readonly TrainingService _training;

    public LeaderboardPageTests()
    {
        var folder = new DataFolder(Data.Path);
        folder.Create();
        var options = Options.Create(new LoraLabOptions { DataPath = Data.Path });
        _adapters = new AdapterStore(DbFactory, Quotas, TimeProvider.System, folder);
        _evaluations = new EvaluationStore(DbFactory, TimeProvider.System);
        var evaluator = new Evaluator(Registry, DatasetStore, _adapters, Runs, Queue, _evaluations, options);
        Services.AddSingleton(_adapters);
        Services.AddSingleton(_evaluations);
        Services.AddSingleton(evaluator);
        _training = new TrainingService(Queue, new TrainingDevices([ComputeDevice.Cpu], new SystemDeviceMemory(), runsPerDevice: 1), _adapters, Notifier,
            DbFactory, folder, TimeProvider.System, options, NullLogger<TrainingService>.Instance, new EvaluationRunExecutor(evaluator, Runs, folder, ComputeDevice.Cpu));
        _training.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>The demo model, its extract-name and pirate-style adapters (read in place) and the first records of the extract-name task.</summary>
    async Task<(int Model, int Name, int Pirate, int Dataset)> DemoAsync(int records)
    {
        var model = await Registry.RegisterFolderAsync(DemoAdapterFiles.DemoModel);
        int modelId = model.Value!.Id;
        await using var db = await DbFactory.CreateDbContextAsync();
        Adapter AdapterOf(string task) => new()
        {
            Name = $"demo {task}", BaseModelId = modelId, Method = "lora", Folder = Path.Combine(DemoAdapterFiles.BundledAdapters, task),
            Owner = LocalUser.Id, CreatedAt = DateTime.UtcNow,
        };
        var (name, pirate) = (AdapterOf("extract-name"), AdapterOf("pirate-style"));
        db.Adapters.AddRange(name, pirate);
        await db.SaveChangesAsync();
        string lines = string.Join("\n", File.ReadLines(Path.Combine(Path.GetDirectoryName(DemoAdapterFiles.DemoModel)!, "datasets", "extract-name-eval.jsonl")).Take(records));
        var dataset = await AddDatasetAsync("extract-name-eval", lines + "\n");
        return (modelId, name.Id, pirate.Id, dataset.Id);
    }

    static IReadOnlyList<string> RowKeys(IRenderedComponent<LeaderboardPage> page) =>
        page.FindAll("td.leaderboard-name").Select(td => td.GetAttribute("data-adapter")!).ToList();

    static IReadOnlyList<string> MetricsOf(IRenderedComponent<LeaderboardPage> page, int row) =>
        page.FindAll("#leaderboard tbody tr")[row].QuerySelectorAll("td.leaderboard-metric").Select(td => td.TextContent.Trim()).ToList();

    [Fact]
    public async Task Evaluating_an_adapter_fills_its_row_and_the_baseline_which_stays_first_whatever_the_sort()
    {
        var (model, name, pirate, dataset) = await DemoAsync(records: 8);

        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo($"leaderboard?baseModelId={model}&datasetId={dataset}");
        var page = Render<LeaderboardPage>();
        Assert.Equal(["base", name.ToString(), pirate.ToString()], RowKeys(page));
        Assert.Equal(3, page.FindAll("button.evaluate-button").Count);
        page.FindAll("#leaderboard tbody tr")[1].QuerySelector("button.evaluate-button")!.Click();

        // Queued as an evaluation run, shown above the table while it waits and answers; its row's button is off meanwhile.
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".evaluation-run")));
        var queued = Assert.Single(await Runs.ListAsync());
        Assert.Equal((RunKind.Evaluation, "Evaluate demo extract-name on extract-name-eval"), (queued.Kind, queued.Name));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("button.evaluate-button")), TimeSpan.FromSeconds(120));
        Assert.Empty(page.FindAll(".evaluation-run"));
        Assert.Equal(RunStatus.Completed, (await Runs.FindAsync(queued.Id))!.Status);
        var board = await _evaluations.LeaderboardAsync(model, dataset);
        var adapter = board.Single(e => e.AdapterId == name);
        Assert.Equal(8, adapter.Examples);
        Assert.Equal(["base", name.ToString(), pirate.ToString()], RowKeys(page));
        Assert.Contains("baseline", page.FindAll("td.leaderboard-name")[0].TextContent);
        Assert.Equal(adapter.ExactMatch!.Value.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), MetricsOf(page, 1)[0]);
        Assert.True(adapter.ExactMatch > board[0].ExactMatch, $"adapter {adapter.ExactMatch} vs base {board[0].ExactMatch}");
        Assert.Equal("–", MetricsOf(page, 2)[0]);

        page.FindAll("#leaderboard th .mud-table-sort-label")[1].Click();   // exact match: descending → ascending
        Assert.Equal("base", RowKeys(page)[0]);
    }

    [Fact]
    public async Task The_adapter_page_lists_the_adapters_evaluations_with_a_link_to_their_leaderboard()
    {
        var (model, name, _, dataset) = await DemoAsync(records: 2);
        var empty = Render<AdapterEvaluations>(p => p.Add(x => x.AdapterId, name).Add(x => x.BaseModelId, model));
        Assert.NotNull(empty.Find("#no-evaluations"));
        var answers = new List<EvaluationAnswer> { new("p1", "tom", "tom"), new("p2", "lucy", "ella") };
        var metrics = GenerationMetrics.Score(answers.Select(a => a.Answer).ToList(), answers.Select(a => a.Reference).ToList());
        await _evaluations.SaveAsync(model, name, dataset, runId: null, metrics, answers, 1.0, LocalUser.Id);

        var page = Render<AdapterEvaluations>(p => p.Add(x => x.AdapterId, name).Add(x => x.BaseModelId, model));

        var row = page.Find("#adapter-evaluations tr.evaluation-row");
        Assert.Contains("extract-name-eval", row.TextContent);
        Assert.Equal("0.500", row.QuerySelector("td.evaluation-exact_match")!.TextContent);
        Assert.Equal($"leaderboard?baseModelId={model}&datasetId={dataset}", row.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task On_a_benchmark_dataset_the_leaderboard_shows_acc_and_acc_norm_and_evaluating_fills_them()
    {
        var (model, name, pirate, _) = await DemoAsync(records: 1);
        const string Questions = """
            {"question": "Say it as a pirate would: my book is red.", "choices": ["my book is red, arr matey!", "my book is red."], "answer": 0}
            {"question": "Who is it? tom went home.", "choices": ["tom", "lucy"], "answer": "tom"}
            """;
        var added = await DatasetStore.AddAsync("mine.jsonl", "my questions", new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Questions)), Caller.Local, benchmark: "jsonl");
        int benchmark = added.Value!.Id;

        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo($"leaderboard?baseModelId={model}&datasetId={benchmark}");
        var page = Render<LeaderboardPage>();
        Assert.Equal(["Adapter", "acc", "acc_norm", "Questions", ""], page.FindAll("#leaderboard thead th").Select(th => th.TextContent.Trim()));
        page.FindAll("#leaderboard tbody tr")[2].QuerySelector("button.evaluate-button")!.Click();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("button.evaluate-button")), TimeSpan.FromSeconds(120));
        var board = await _evaluations.LeaderboardAsync(model, benchmark);
        var scored = board.Single(e => e.AdapterId == pirate);
        Assert.Equal(2, scored.Examples);
        // Filled rows first (by acc), the adapter not evaluated last.
        Assert.Equal(["base", pirate.ToString(), name.ToString()], RowKeys(page));
        Assert.Equal([EvaluationMetric.Accuracy.Format(scored), EvaluationMetric.NormalizedAccuracy.Format(scored)], MetricsOf(page, 1));
        Assert.Equal(["–", "–"], MetricsOf(page, 2));
    }

    [Fact]
    public async Task A_benchmark_datasets_page_shows_its_first_questions_as_posed_with_the_right_choice_marked()
    {
        string arc = """
            {"question": "Which is a colour?", "choices": {"text": ["four", "red"], "label": ["A", "B"]}, "answerKey": "B"}
            """;
        var added = await DatasetStore.AddAsync("arc.jsonl", "arc", new MemoryStream(System.Text.Encoding.UTF8.GetBytes(arc)), Caller.Local, benchmark: "arc");

        var page = Render<LoraLab.Web.Components.Pages.Datasets.DatasetPage>(p => p.Add(x => x.DatasetId, added.Value!.Id));

        page.WaitForAssertion(() => Assert.Single(page.FindAll(".benchmark-question")));
        Assert.Equal("Question: Which is a colour?\nAnswer:", page.Find(".benchmark-question pre").TextContent);
        Assert.StartsWith("red", page.Find(".benchmark-answer").TextContent);
        Assert.Contains("arc format: 1 question.", page.Find("#benchmark-summary").TextContent);
        Assert.Empty(page.FindAll("#train-on-dataset"));
    }

    [Fact]
    public void A_run_page_offers_to_answer_the_records_the_run_held_out_or_says_it_held_out_none()
    {
        var none = Render<HeldOutEvaluation>(p => p.Add(x => x.RunId, 1).Add(x => x.ValidationFraction, 0));
        var some = Render<HeldOutEvaluation>(p => p.Add(x => x.RunId, 1).Add(x => x.ValidationFraction, 0.25));

        Assert.Contains("validation fraction 0", none.Find("#no-held-out").TextContent);
        Assert.Empty(none.FindAll("#evaluate-held-out"));
        Assert.Equal("Evaluate", some.Find("#evaluate-held-out").TextContent.Trim());
        Assert.Contains("0.25 of the", some.Markup);
        Assert.Empty(some.FindAll("#held-out-table"));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _training.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            _training.Dispose();
        }
        base.Dispose(disposing);
    }
}
