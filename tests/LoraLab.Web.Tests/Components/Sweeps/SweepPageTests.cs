using Bunit;
using LoraLab.Web.Accounts;
using LoraLab.Web.Components.Pages.Sweeps;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Sweeps;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Tests.Components.Sweeps;

public sealed class SweepPageTests : StudioComponentContext
{
    /// <summary>A grid of learning rate × r on SmolLM2, its four runs queued.</summary>
    async Task<SweepDetails> QueueSweepAsync()
    {
        int model = await AddSmolLm2Async();
        int dataset = (await AddDatasetAsync()).Id;
        var created = await Sweeps.CreateAsync(new NewSweep("grid", model, dataset, "lora", null,
            [new SweptSetting("training", "learning_rate", [1e-5, 1e-3]), new SweptSetting("method", "r", [4, 8])]), Caller.Local);
        return created.Value ?? throw new InvalidOperationException(created.Failure!.Detail);
    }

    /// <summary>Ends a run as the queue records it (status and outcome on the run) with the points the recorder stores.</summary>
    async Task CompleteAsync(int runId, double evalLoss)
    {
        await using var db = await DbFactory.CreateDbContextAsync();
        var run = await db.Runs.SingleAsync(r => r.Id == runId);
        (run.Status, run.QueuePosition, run.TrainLoss, run.EvalLoss, run.Perplexity, run.FinishedAt) =
            (RunStatus.Completed, null, evalLoss + 0.1, evalLoss, Math.Exp(evalLoss), DateTime.UtcNow);
        db.RunMetrics.AddRange(
            new RunMetric { RunId = runId, Step = 1, Kind = MetricKind.Train, Loss = evalLoss + 0.5, LearningRate = 1e-4, ElapsedSeconds = 1 },
            new RunMetric { RunId = runId, Step = 2, Kind = MetricKind.Train, Loss = evalLoss + 0.1, LearningRate = 1e-4, ElapsedSeconds = 2 },
            new RunMetric { RunId = runId, Step = 2, Kind = MetricKind.Eval, Loss = evalLoss, ElapsedSeconds = 2 });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task The_sweep_page_ranks_completed_runs_by_validation_loss_marks_the_best_and_lists_the_rest_unranked()
    {
        var sweep = await QueueSweepAsync();
        var ids = sweep.Runs.Select(r => r.RunId).ToList();   // lr=1e-5 r=4, lr=1e-5 r=8, lr=1e-3 r=4, lr=1e-3 r=8
        await CompleteAsync(ids[0], 1.40);
        await CompleteAsync(ids[1], 1.10);
        await CompleteAsync(ids[2], 1.25);

        var page = Render<SweepPage>(p => p.Add(x => x.SweepId, sweep.Sweep.Id));

        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("#sweep-runs tbody tr").Count));
        var rows = page.FindAll("#sweep-runs tbody tr").Select(r => r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList()).ToList();
        Assert.Equal(["1", "2", "3", "–"], rows.Select(r => r[0]));
        Assert.Equal(["lr=1e-5 r=8best", "lr=1e-3 r=4", "lr=1e-5 r=4", "lr=1e-3 r=8"], rows.Select(r => r[1]));
        Assert.Equal([["1e-5", "8"], ["1e-3", "4"], ["1e-5", "4"], ["1e-3", "8"]], rows.Select(r => r.Skip(2).Take(2).ToList()));
        Assert.Equal(["1.1", "1.25", "1.4", "–"], rows.Select(r => r[4]));
        var best = page.Find("#best-run");
        Assert.Equal(ids[1].ToString(System.Globalization.CultureInfo.InvariantCulture), best.Closest("tr")!.QuerySelector("td")!.GetAttribute("data-run"));
        Assert.Contains("Queued", rows[3][5]);
        Assert.Contains("ranked by eval_loss (lowest validation loss (lower is better))", page.Find("#sweep-description").TextContent);
    }

    [Fact]
    public async Task The_sweep_page_overlays_each_runs_curves_and_plots_each_setting_against_the_metric_on_a_log_axis_for_rates()
    {
        var sweep = await QueueSweepAsync();
        var ids = sweep.Runs.Select(r => r.RunId).ToList();
        await CompleteAsync(ids[0], 1.40);
        await CompleteAsync(ids[3], 1.20);

        var page = Render<SweepPage>(p => p.Add(x => x.SweepId, sweep.Sweep.Id));

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("#sweep-train-loss polyline").Count));
        // Ranked first: lr=1e-3 r=8 (1.20), then lr=1e-5 r=4 (1.40); the queued ones have no points yet.
        Assert.Equal(["lr=1e-3 r=8", "lr=1e-5 r=4"], page.FindAll("#sweep-train-loss polyline").Select(p => p.GetAttribute("data-series")));
        Assert.Equal(["2", "2"], page.FindAll("#sweep-train-loss polyline").Select(p => p.GetAttribute("data-points")));
        Assert.Equal(2, page.FindAll("#sweep-eval-loss circle").Count);
        var rate = page.Find("[data-scatter='training.learning_rate']");
        Assert.Contains("training.learning_rate (log scale) vs eval_loss", rate.TextContent);
        Assert.Equal(["lr=1e-3 r=8", "lr=1e-5 r=4"], rate.QuerySelectorAll("circle").Select(c => c.GetAttribute("data-run")));
        Assert.Equal(["6", "4"], rate.QuerySelectorAll("circle").Select(c => c.GetAttribute("r")));   // the best is drawn larger
        Assert.DoesNotContain("log scale", page.Find("[data-scatter='method.r']").TextContent);
    }

    [Fact]
    public void An_unknown_sweep_says_so()
    {
        var page = Render<SweepPage>(p => p.Add(x => x.SweepId, 4242));

        Assert.Contains("There is no sweep with id 4242.", page.WaitForElement("#sweep-missing").TextContent);
    }
}
