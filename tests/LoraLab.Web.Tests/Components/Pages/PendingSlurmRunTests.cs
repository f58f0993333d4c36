using Bunit;
using LoraLab.Web.Components.Pages.Runs;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Slurm;
using LoraLab.Web.Training;

namespace LoraLab.Web.Tests.Components.Pages;

/// <summary>A run whose Slurm job waits shows Pending on its page and in the list, until the notifier says the job runs.</summary>
public sealed class PendingSlurmRunTests : StudioComponentContext
{
    async Task<RunSummary> RunOnSlurmAsync(string? pendingReason, string? node)
    {
        var run = await QueueRunAsync(await AddSmolLm2Async(), (await AddDatasetAsync()).Id, "on slurm");
        await ShowAsync(run.Id, pendingReason, node);
        return run;
    }

    /// <summary>What the Slurm executor stores before it publishes the change.</summary>
    async Task ShowAsync(int runId, string? pendingReason, string? node)
    {
        await using var db = await DbFactory.CreateDbContextAsync();
        var run = await db.Runs.FindAsync(runId);
        (run!.Status, run.QueuePosition, run.SlurmJobId, run.SlurmNode, run.SlurmPendingReason) = (RunStatus.Running, null, "12", node, pendingReason);
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task The_run_page_shows_Pending_with_the_reason_and_turns_Running_when_the_job_starts()
    {
        var run = await RunOnSlurmAsync("Resources", node: null);
        var page = Render<RunPage>(p => p.Add(x => x.RunId, run.Id));

        page.WaitForAssertion(() => Assert.Equal("Pending", page.Find(".status-chip").GetAttribute("data-status")));
        Assert.Equal("Slurm job 12 waits to start: waiting for resources (Resources).", page.Find("#slurm-pending").TextContent.Trim());

        await ShowAsync(run.Id, pendingReason: null, node: "gpu01");
        Notifier.Publish(new RunUpdate(run.Id, new SlurmJobChanged("12", "gpu01", null)));

        page.WaitForAssertion(() => Assert.Equal("Running", page.Find(".status-chip").GetAttribute("data-status")));
        Assert.Empty(page.FindAll("#slurm-pending"));
        Assert.Contains("Slurm job 12 on gpu01", page.Find("#run-slurm-job").TextContent);
    }

    [Fact]
    public async Task The_runs_list_shows_just_Pending_right_after_submission()
    {
        await RunOnSlurmAsync("None", node: null);

        var page = Render<RunsPage>();

        page.WaitForAssertion(() => Assert.Equal("Pending", page.Find("#runs .status-chip").TextContent.Trim()));
    }

    [Fact]
    public async Task The_dashboard_shows_a_pending_run_among_those_training_with_its_reason()
    {
        await RunOnSlurmAsync("Priority", node: null);

        var page = Render<LoraLab.Web.Components.Pages.Dashboard.Dashboard>();

        page.WaitForAssertion(() => Assert.Equal("Pending: waiting for jobs of higher priority", page.Find(".running-run .status-chip").TextContent.Trim()));
    }
}
