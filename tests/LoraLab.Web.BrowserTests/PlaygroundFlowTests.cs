using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LoraLab.Web.Tests.Playground;
using Microsoft.Playwright;

namespace LoraLab.Web.BrowserTests;

/// <summary>The studio with the demo registered: the bundled demo model and two demo adapters (LoRA folders with random B factors).</summary>
public sealed class DemoStudio : IAsyncLifetime
{
    public StudioServer Server { get; } = new(data => new Dictionary<string, string>
    {
        ["LoraLab__RegisterDemo"] = "true",
        ["LoraLab__DemoAdaptersPath"] = DemoAdapterFiles.Write(Path.Combine(data, "bundled-adapters"), "extract-name", "pirate-style"),
    });

    public Task InitializeAsync() => Server.InitializeAsync();

    public Task DisposeAsync() => Server.DisposeAsync();
}

/// <summary>
/// The playground in a real browser: the demo base and two demo adapters answer side by side, then a blind vote and a
/// judge model's verdict fill the win table.
/// </summary>
public sealed class PlaygroundFlowTests(DemoStudio demo) : IClassFixture<DemoStudio>
{
    StudioServer Studio => demo.Server;

    [Fact]
    public async Task Three_columns_fill_in_from_one_generation_and_a_blind_vote_and_a_judges_verdict_enter_the_win_table()
    {
        var (demoModel, adapterIds) = await DemoAsync();
        var page = await Studio.NewPageAsync();
        await page.GotoAsync("/playground");
        await page.Locator("[data-interactive='true']").WaitForAsync();

        await PickAsync(page, "#playground-model", demoModel);
        foreach (int id in adapterIds) await page.ClickAsync($"#add-adapter-{id}");
        await page.FillAsync("#prompt", "Who is this sentence about?\n\ntom hopped to the shop before dinner.");
        await page.ClickAsync("#generate");

        try
        {
            await page.Locator("#generation-summary[data-finished='true']").WaitForAsync(new() { Timeout = 120_000 });
        }
        catch (TimeoutException e)
        {
            await ScreenshotAsync(page, "20-playground-timed-out");
            throw new TimeoutException($"{e.Message}\nThe studio's output:\n{Studio.Output}", e);
        }
        var columns = page.Locator("#answers .answer-column");
        Assert.Equal(3, await columns.CountAsync());
        Assert.Equal(["1 · base model only", "2 · demo extract-name", "3 · demo pirate-style"], (await page.Locator("#answers .answer-name").AllTextContentsAsync()).Select(t => t.Trim()));
        for (int c = 0; c < 3; c++)
        {
            Assert.NotEqual("", await columns.Nth(c).GetAttributeAsync("data-finish"));
            Assert.Contains("tokens/s", await columns.Nth(c).Locator(".answer-stats").TextContentAsync());
        }
        Assert.Contains("1 batch", await page.Locator("#generation-summary").TextContentAsync());
        await ScreenshotAsync(page, "20-playground-answers");

        await page.ClickAsync("#start-blind");
        await page.ClickAsync("#vote-a");
        await page.Locator("#blind-reveal").WaitForAsync();
        await Assertions.Expect(page.Locator("#win-table .win-row")).ToHaveCountAsync(2);
        Assert.Equal(["1", "1"], await page.Locator("#win-table .win-row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.games)"));
        await ScreenshotAsync(page, "21-playground-vote");

        // The demo base as the judge of the same pair, with a prompt short enough for its 512-token context.
        await page.ClickAsync("#judge-prompt-panel");
        await page.FillAsync("#judge-system", "Pick the better answer: [[A]], [[B]] or [[C]].");
        await page.FillAsync("#judge-template", "{question}\nA: {answer_a}\nB: {answer_b}");
        await page.FillAsync("#judge-max-tokens", "16");
        await page.ClickAsync("#ask-judge");
        await page.Locator("#judge-verdict").WaitForAsync(new() { Timeout = 120_000 });
        Assert.Contains(await page.Locator("#judge-verdict").GetAttributeAsync("data-winner"), new[] { "A", "B", "tie" });
        await Assertions.Expect(page.Locator("#win-table .win-row[data-judged='1']")).ToHaveCountAsync(2);
        // Everyone's table counts the person's vote and the judge's (2 games each); the judges' table only the verdict.
        await Assertions.Expect(page.Locator("#win-table .win-row[data-games='2']")).ToHaveCountAsync(2);
        await page.ClickAsync("#win-source-judges");
        await Assertions.Expect(page.Locator("#win-table .win-row[data-games='1'][data-judged='1']")).ToHaveCountAsync(2);
        await ScreenshotAsync(page, "22-playground-judge");

        var answers = await page.Locator("#answers .answer-column").AllTextContentsAsync();
        await page.FillAsync("#session-name", "three columns");
        await page.ClickAsync("#save-session");
        // Leave only once the studio says it is stored: navigating away at once can beat the save to the database.
        await page.Locator(".mud-snackbar", new() { HasText = "Session 'three columns' saved." }).WaitForAsync();
        await page.GotoAsync("/playground");
        await page.Locator("[data-interactive='true']").WaitForAsync();
        await PickAsync(page, "#open-session", "three columns");
        await Assertions.Expect(page.Locator("#answers .answer-column")).ToHaveCountAsync(3);
        Assert.Equal(answers, await page.Locator("#answers .answer-column").AllTextContentsAsync());
    }

    [Fact]
    public async Task A_demo_eval_set_run_through_two_columns_shows_each_columns_scores_and_answers()
    {
        var (_, adapterIds) = await DemoAsync();
        var page = await Studio.NewPageAsync();
        await page.GotoAsync("/playground");
        await page.Locator("[data-interactive='true']").WaitForAsync();
        await page.ClickAsync($"#add-adapter-{adapterIds[0]}");

        await page.ClickAsync("text=Prompt set");
        await PickAsync(page, "#prompt-set-dataset", "demo extract-name-eval");
        await page.FillAsync("#prompt-set-max", "4");
        await page.ClickAsync("#run-prompt-set");

        await page.Locator("#prompt-set-scores").WaitForAsync(new() { Timeout = 120_000 });
        Assert.Equal(2, await page.Locator("#prompt-set-scores .score-row").CountAsync());
        Assert.Equal(4, await page.Locator("#prompt-set-outputs .prompt-set-row").CountAsync());
        Assert.All(await page.Locator("#prompt-set-scores .score-row td:nth-child(3)").AllTextContentsAsync(), perplexity => Assert.NotEqual("–", perplexity.Trim()));
        await ScreenshotAsync(page, "22-playground-prompt-set");
    }

    [Fact]
    public async Task Evaluate_on_the_leaderboard_queues_an_evaluation_run_whose_scores_fill_the_row_and_whose_page_shows_its_answers()
    {
        var (_, adapterIds) = await DemoAsync();
        using var http = new HttpClient { BaseAddress = new Uri(Studio.Url) };
        var models = await http.GetFromJsonAsync<JsonArray>("/api/models");
        int modelId = models!.Single(m => m!["source"]!.GetValue<string>() == "Demo")!["id"]!.GetValue<int>();
        var datasets = await http.GetFromJsonAsync<JsonArray>("/api/datasets");
        int datasetId = datasets!.Single(d => d!["name"]!.GetValue<string>() == "demo pirate-style-eval")!["id"]!.GetValue<int>();
        var page = await Studio.NewPageAsync();
        await page.GotoAsync($"/leaderboard?baseModelId={modelId}&datasetId={datasetId}");
        await page.Locator("[data-interactive='true']").WaitForAsync();
        await page.FillAsync("#leaderboard-examples", "6");

        var row = page.Locator("#leaderboard tbody tr", new() { Has = page.Locator($"td[data-adapter='{adapterIds[1]}']") });
        await row.Locator("button.evaluate-button").ClickAsync();
        await page.Locator(".evaluation-run").WaitForAsync();
        try
        {
            // The run ends and leaves the panel; its figures, and the baseline's computed with it, are in the table.
            await row.Locator("button.evaluate-button").WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 120_000 });
            await page.Locator(".evaluation-run").WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 10_000 });
        }
        catch (TimeoutException e)
        {
            await ScreenshotAsync(page, "23-leaderboard-timed-out");
            throw new TimeoutException($"{e.Message}\nThe studio's output:\n{Studio.Output}", e);
        }
        Assert.All(await row.Locator("td.leaderboard-metric").AllTextContentsAsync(), metric => Assert.NotEqual("–", metric.Trim()));
        Assert.NotEqual("–", (await page.Locator("#leaderboard tbody tr td.leaderboard-metric").First.TextContentAsync())!.Trim());
        await ScreenshotAsync(page, "23-leaderboard-evaluated");

        var runs = await http.GetFromJsonAsync<JsonArray>("/api/runs");
        var run = runs!.Single(r => r!["kind"]!.GetValue<string>() == "Evaluation" && r["datasetId"]!.GetValue<int>() == datasetId)!;
        Assert.Equal("Completed", run["status"]!.GetValue<string>());
        await page.GotoAsync($"/runs/{run["id"]}");
        await page.Locator("#evaluation-run-scores").WaitForAsync();
        Assert.Equal(2, await page.Locator("#evaluation-run-scores .scores-row").CountAsync());
        Assert.Equal(6, await page.Locator("#evaluation-run-answers tbody tr").CountAsync());
        Assert.Equal(0, await page.Locator("#charts").CountAsync());
    }

    [Fact]
    public async Task A_benchmark_uploaded_on_the_datasets_page_is_shown_as_posed_and_scored_by_acc_on_its_leaderboard()
    {
        var (_, adapterIds) = await DemoAsync();
        string folder = Directory.CreateTempSubdirectory("loralab-arc-").FullName;
        string bad = Path.Combine(folder, "arc-bad.jsonl"), good = Path.Combine(folder, "arc-mini.jsonl");
        await File.WriteAllTextAsync(bad, "{\"question\": \"no choices\", \"answerKey\": \"A\"}\n");
        await File.WriteAllTextAsync(good, """
            {"id": "q1", "question": "Say it as a pirate would: my book is red.", "choices": {"text": ["my book is red, arr matey!", "my book is red."], "label": ["A", "B"]}, "answerKey": "A"}
            {"id": "q2", "question": "Which is a colour?", "choices": {"text": ["red", "four"], "label": ["1", "2"]}, "answerKey": "1"}
            """);
        var page = await Studio.NewPageAsync();
        await page.GotoAsync("/datasets");
        await page.Locator("[data-interactive='true']").WaitForAsync();
        await PickAsync(page, "#dataset-contents", "Multiple-choice benchmark: ARC");
        await page.Locator("#benchmark-hint").WaitForAsync();   // the choice reached the server before the file is picked

        // MudFileUpload adds a fresh input after each pick (so the same file can be picked again): the last one is live.
        await FilePicker.PickAsync(page.Locator("input[type=file]").Last, bad);
        await page.Locator("#upload .mud-alert").WaitForAsync();
        Assert.Contains("arc-bad.jsonl' is not a valid arc benchmark file: line 1: missing field \"choices\"", await page.Locator("#upload .mud-alert").InnerTextAsync());
        await FilePicker.PickAsync(page.Locator("input[type=file]").Last, good);
        await page.Locator(".benchmark-question").First.WaitForAsync();
        Assert.Equal(2, await page.Locator(".benchmark-question").CountAsync());
        Assert.Contains("arc format: 2 questions", await page.Locator("#benchmark-summary").TextContentAsync());
        await ScreenshotAsync(page, "24-benchmark-dataset");

        await page.ClickAsync("#evaluate-on-benchmark");
        var row = page.Locator("#leaderboard tbody tr", new() { Has = page.Locator($"td[data-adapter='{adapterIds[1]}']") });
        await row.Locator("button.evaluate-button").ClickAsync();
        await row.Locator("button.evaluate-button").WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 120_000 });
        Assert.Equal(["acc", "acc_norm"], (await page.Locator("#leaderboard thead th").AllTextContentsAsync()).Skip(1).Take(2).Select(t => t.Trim()));
        Assert.All(await row.Locator("td.leaderboard-metric").AllTextContentsAsync(), metric => Assert.Matches(@"^[01]\.\d{3}$", metric.Trim()));
        await ScreenshotAsync(page, "25-benchmark-leaderboard");
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>MudSelect keeps the id on a hidden input: opens the select by its visible field and clicks the option.</summary>
    static async Task PickAsync(IPage page, string selectId, string option)
    {
        await page.Locator(".mud-input-control.mud-select", new() { Has = page.Locator(selectId) }).ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = option }).ClickAsync();
    }

    /// <summary>The demo model's name and the two demo adapters' ids, from the studio's API.</summary>
    async Task<(string Model, int[] Adapters)> DemoAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Studio.Url) };
        var models = await http.GetFromJsonAsync<JsonArray>("/api/models");
        var demoModel = models!.Single(m => m!["source"]!.GetValue<string>() == "Demo")!;
        var adapters = await http.GetFromJsonAsync<JsonArray>("/api/adapters");
        var ids = adapters!.Where(a => a!["baseModelId"]!.GetValue<int>() == demoModel["id"]!.GetValue<int>())
            .OrderBy(a => a!["name"]!.GetValue<string>(), StringComparer.Ordinal).Select(a => a!["id"]!.GetValue<int>()).ToArray();
        Assert.Equal(2, ids.Length);
        return (demoModel["name"]!.GetValue<string>(), ids);
    }

    static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(StudioServer.ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(StudioServer.ScreenshotFolder, $"{name}.png"), FullPage = true });
    }
}
