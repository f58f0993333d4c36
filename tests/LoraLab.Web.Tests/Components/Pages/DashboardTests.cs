using Bunit;
using LoraLab.Web.Components.Pages.Dashboard;

namespace LoraLab.Web.Tests.Components.Pages;

public sealed class DashboardTests : StudioComponentContext
{
    [Fact]
    public void The_device_is_shown_by_name_with_the_machines_memory_and_idle()
    {
        var page = Render<Dashboard>();

        var device = page.Find("#devices .device");
        Assert.Equal($"CPU ({Environment.ProcessorCount} threads)", device.QuerySelector(".device-name")!.TextContent);
        Assert.Matches(@"^Memory: \d+(\.\d+)? [KMG]iB in use of \d+(\.\d+)? [MGT]iB, \d+(\.\d+)? [KMG]iB free$", device.QuerySelector(".device-memory")!.TextContent.Trim());
        Assert.Equal("Idle", device.QuerySelector(".device-idle")!.TextContent);
    }

    [Fact]
    public async Task Queued_runs_are_listed_in_queue_order_and_can_be_moved()
    {
        int model = await AddSmolLm2Async();
        int dataset = (await AddDatasetAsync()).Id;
        await QueueRunAsync(model, dataset, "first");
        await QueueRunAsync(model, dataset, "second");
        var page = Render<Dashboard>();
        page.WaitForElement("#queue");

        page.FindAll("#queue button[aria-label='Move up']")[1].Click();

        page.WaitForAssertion(() => Assert.Equal(["second", "first"], page.FindAll("#queue tbody tr td a").Select(a => a.TextContent)));
        Assert.Equal(["second", "first"], (await Runs.ListAsync()).OrderBy(r => r.QueuePosition).Select(r => r.Name));
    }

    [Fact]
    public void With_no_runs_each_section_says_it_is_empty()
    {
        var page = Render<Dashboard>();

        page.WaitForElement("#nothing-running");
        Assert.NotNull(page.Find("#queue-empty"));
        Assert.NotNull(page.Find("#recent-empty"));
    }
}
