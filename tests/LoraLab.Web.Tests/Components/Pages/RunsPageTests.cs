using System.Text.Json.Nodes;
using Bunit;
using LoraLab.Web.Components.Pages.Runs;
using LoraLab.Web.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Components.Pages;

public sealed class RunsPageTests : StudioComponentContext
{
    static JsonObject Configuration(int rank, double learningRate) => new()
    {
        ["method"] = new JsonObject { ["method"] = "lora", ["r"] = rank, ["target_modules"] = new JsonArray("q_proj", "v_proj") },
        ["training"] = new JsonObject { ["learning_rate"] = learningRate, ["batch_size"] = 4 },
    };

    async Task<(IRenderedComponent<RunsPage> Page, RunSummary[] Runs)> RenderThreeRunsAsync()
    {
        int model = await AddSmolLm2Async();
        int dataset = (await AddDatasetAsync()).Id;
        var runs = new[]
        {
            await QueueRunAsync(model, dataset, "r8", Configuration(8, 2e-4)),
            await QueueRunAsync(model, dataset, "r16", Configuration(16, 2e-4)),
            await QueueRunAsync(model, dataset, "r16-fast", Configuration(16, 1e-3)),
        };
        var page = Render<RunsPage>();
        page.WaitForElement("#runs");
        return (page, runs);
    }

    static void Tick(IRenderedComponent<RunsPage> page, RunSummary run) => page.Find($"input[data-run='{run.Id}']").Change(true);

    [Fact]
    public async Task Comparing_runs_lists_only_the_keys_whose_values_differ()
    {
        var (page, runs) = await RenderThreeRunsAsync();

        Tick(page, runs[0]);
        Tick(page, runs[1]);

        page.WaitForAssertion(() => Assert.Equal(["method.r"], page.FindAll("#config-diff tbody tr").Select(r => r.GetAttribute("data-key"))));
        Assert.Equal(["method.r", "8", "16"], page.FindAll("#config-diff tbody tr td").Select(td => td.TextContent.Trim()));

        Tick(page, runs[2]);

        page.WaitForAssertion(() => Assert.Equal(["method.r", "training.learning_rate"], page.FindAll("#config-diff tbody tr").Select(r => r.GetAttribute("data-key"))));
    }

    [Fact]
    public async Task Showing_equal_keys_too_lists_every_stored_setting_and_marks_only_the_differing_ones()
    {
        var (page, runs) = await RenderThreeRunsAsync();
        Tick(page, runs[0]);
        Tick(page, runs[1]);
        page.WaitForElement("#config-diff");
        var stored = ConfigurationDiff.Flatten((await Services.GetRequiredService<RunReader>().GetDetailsAsync(runs[0].Id))!.Configuration);

        page.Find("#show-all-keys").Change(true);

        // What the run was posted with and every other setting at the default it trains with (the seed, say).
        page.WaitForAssertion(() => Assert.Equal(stored.Keys.Order(), page.FindAll("#config-diff tbody tr").Select(r => r.GetAttribute("data-key")!).Order()));
        Assert.Contains("training.seed", stored.Keys);
        Assert.Equal(["method.r"], page.FindAll("#config-diff tbody tr.differs").Select(r => r.GetAttribute("data-key")));
    }

    [Fact]
    public async Task Compared_runs_overlay_their_loss_curves_one_series_each()
    {
        var (page, runs) = await RenderThreeRunsAsync();
        Tick(page, runs[0]);
        Tick(page, runs[2]);
        page.WaitForElement("#compare");

        Notifier.Publish(new RunUpdate(runs[0].Id, new StepMetrics(1, 10, 2.5, 1e-4, 1, 500, 1)));
        Notifier.Publish(new RunUpdate(runs[0].Id, new StepMetrics(2, 10, 2.0, 1e-4, 1, 500, 2)));
        Notifier.Publish(new RunUpdate(runs[2].Id, new StepMetrics(1, 10, 2.2, 1e-4, 1, 500, 1)));

        page.WaitForAssertion(() =>
        {
            Assert.Equal("2", page.Find("#compare-loss polyline[data-series='r8']").GetAttribute("data-points"));
            Assert.Equal("1", page.Find("#compare-loss polyline[data-series='r16-fast']").GetAttribute("data-points"));
        });
    }

    [Fact]
    public async Task The_text_filter_keeps_the_runs_whose_name_matches()
    {
        var (page, _) = await RenderThreeRunsAsync();

        page.Find("#filter-text").Input("r16");

        page.WaitForAssertion(() => Assert.Equal(["r16", "r16-fast"], page.FindAll("#runs tbody tr td a").Select(a => a.TextContent)));
    }

    [Fact]
    public async Task The_status_filter_tells_a_Slurm_job_that_waits_to_start_from_the_runs_that_train()
    {
        var (page, runs) = await RenderThreeRunsAsync();
        await using (var db = await DbFactory.CreateDbContextAsync())
        {
            foreach (var (run, reason) in new[] { (runs[0], "Resources"), (runs[1], (string?)null) })
                await db.Runs.Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.Status, LoraLab.Web.Data.Entities.RunStatus.Running).SetProperty(r => r.SlurmPendingReason, reason));
        }
        page = Render<RunsPage>();
        page.WaitForElement("#runs");
        var filter = page.FindComponents<MudBlazor.MudSelect<string>>().Single(s => (string?)s.Instance.UserAttributes["id"] == "filter-status");

        await page.InvokeAsync(() => filter.Instance.SelectOption("Pending"));
        page.WaitForAssertion(() => Assert.Equal(["r8"], page.FindAll("#runs tbody tr td a").Select(a => a.TextContent)));

        await page.InvokeAsync(() => filter.Instance.SelectOption("Running"));
        page.WaitForAssertion(() => Assert.Equal(["r16"], page.FindAll("#runs tbody tr td a").Select(a => a.TextContent)));
    }
}
