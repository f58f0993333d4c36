using Bunit;
using LoraLab.Web.Components.Pages.Runs;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Devices;
using LoraLab.Web.Tests.Devices;
using LoraLab.Web.Training;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Components.Pages;

public sealed class RunPageTests : StudioComponentContext
{
    static string PointsOf(IRenderedComponent<RunPage> page, string chart, string series) =>
        page.Find($"#{chart} polyline[data-series='{series}']").GetAttribute("data-points")!;

    [Fact]
    public async Task The_charts_gain_a_point_for_each_step_and_evaluation_the_notifier_publishes()
    {
        var run = await QueueRunAsync(await AddSmolLm2Async(), (await AddDatasetAsync()).Id, "live");
        var page = Render<RunPage>(p => p.Add(x => x.RunId, run.Id));
        page.WaitForElement("#chart-loss .chart-empty");

        for (int step = 1; step <= 3; step++)
            Notifier.Publish(new RunUpdate(run.Id, new StepMetrics(step, 10, 2.0 / step, 1e-4, 0.5, 800, step * 1.5)));
        Notifier.Publish(new RunUpdate(run.Id, new EvaluationMetrics(3, 0.9, 2.46, 4.5)));
        Notifier.Publish(new RunUpdate(run.Id, new LogLine("step 3 done")));

        page.WaitForAssertion(() =>
        {
            Assert.Equal("3", PointsOf(page, "chart-loss", "training"));
            Assert.Equal("1", PointsOf(page, "chart-loss", "evaluation"));
            Assert.Equal("3", PointsOf(page, "chart-lr", "learning rate"));
            Assert.Equal("3", PointsOf(page, "chart-grad-norm", "gradient norm"));
            Assert.Equal("3", PointsOf(page, "chart-throughput", "tokens/s"));
            Assert.Contains("step 3 done", page.Find("#log").TextContent);
        });
    }

    [Fact]
    public async Task A_queued_run_waiting_for_device_memory_says_what_it_waits_for()
    {
        var run = await QueueRunAsync(await AddSmolLm2Async(), (await AddDatasetAsync()).Id, "waiting");
        var devices = new TrainingDevices([FakeDeviceMemory.Cuda(0)],
            new FakeDeviceMemory(new Dictionary<string, DeviceMemoryReading> { ["CUDA:0"] = new(1 * FakeDeviceMemory.GiB, 24 * FakeDeviceMemory.GiB) }), runsPerDevice: 1);
        var placement = devices.TryPlace(run.Id, run.Name, 8 * FakeDeviceMemory.GiB);
        Services.AddSingleton(devices);

        var page = Render<RunPage>(p => p.Add(x => x.RunId, run.Id));

        Assert.Equal("Waiting for a device with 8.0 GiB free: CUDA:0 has 1.0 GiB.", page.WaitForElement("#waiting-reason").TextContent);
        Assert.Equal(placement.Note, page.Find("#waiting-reason").TextContent);
    }

    [Fact]
    public async Task Another_runs_events_leave_the_charts_alone()
    {
        int model = await AddSmolLm2Async();
        int dataset = (await AddDatasetAsync()).Id;
        var watched = await QueueRunAsync(model, dataset, "watched");
        var other = await QueueRunAsync(model, dataset, "other");
        var page = Render<RunPage>(p => p.Add(x => x.RunId, watched.Id));
        page.WaitForElement("#chart-loss");

        Notifier.Publish(new RunUpdate(other.Id, new StepMetrics(1, 10, 2.0, 1e-4, 0.5, 800, 1)));
        Notifier.Publish(new RunUpdate(watched.Id, new StepMetrics(1, 10, 2.0, 1e-4, 0.5, 800, 1)));

        page.WaitForAssertion(() => Assert.Equal("1", PointsOf(page, "chart-loss", "training")));
    }

    [Fact]
    public async Task A_queued_run_can_be_cancelled_from_its_page()
    {
        var run = await QueueRunAsync(await AddSmolLm2Async(), (await AddDatasetAsync()).Id, "doomed");
        var page = Render<RunPage>(p => p.Add(x => x.RunId, run.Id));

        await page.WaitForElement("#cancel-run").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("Cancelled", page.Find(".status-chip").GetAttribute("data-status")));
        Assert.Equal(RunStatus.Cancelled, (await Runs.FindAsync(run.Id))!.Status);
        Assert.NotNull(page.Find("#resume-run"));
    }

    [Fact]
    public async Task Deleting_a_run_asks_first_then_removes_it_and_returns_to_the_list()
    {
        var run = await QueueRunAsync(await AddSmolLm2Async(), (await AddDatasetAsync()).Id, "unwanted");
        var dialogs = Render<MudBlazor.MudDialogProvider>();
        var page = Render<RunPage>(p => p.Add(x => x.RunId, run.Id));

        page.WaitForElement("#delete-run").Click();
        Assert.Contains("This deletes run 'unwanted'", dialogs.WaitForElement(".mud-dialog").TextContent);
        dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Delete").Click();

        var navigation = Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => Assert.EndsWith("/runs", navigation.Uri));
        Assert.Null(await Runs.FindAsync(run.Id));
    }

    [Fact]
    public void An_unknown_run_says_so()
    {
        var page = Render<RunPage>(p => p.Add(x => x.RunId, 42));

        Assert.Contains("There is no run with id 42", page.WaitForElement("#run-missing").TextContent);
    }
}
