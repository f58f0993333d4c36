using Bunit;
using LoraLab.Web.Accounts;
using LoraLab.Web.Components.Pages.Dashboard;
using LoraLab.Web.Components.Pages.Datasets;
using LoraLab.Web.Components.Pages.Runs;

namespace LoraLab.Web.Tests.Components.Pages;

/// <summary>
/// The pages as a member of a team sees them: everyone's runs with their owners, but no buttons to change someone
/// else's run or the queue's order, and no way into another member's dataset.
/// </summary>
public sealed class MemberViewTests() : StudioComponentContext(singleUser: false)
{
    static readonly Caller Member = new("someone-else", "mo", IsAdmin: false);

    [Fact]
    public async Task The_queue_shows_whose_run_each_is_without_move_or_cancel_buttons_for_a_member()
    {
        int modelId = await AddSmolLm2Async();
        int datasetId = (await AddDatasetAsync()).Id;
        await QueueRunAsync(modelId, datasetId, "first");
        await QueueRunAsync(modelId, datasetId, "second");
        SignInAs(Member);

        var page = Render<Dashboard>();

        page.WaitForAssertion(() => Assert.Equal(["local", "local"], page.FindAll("#queue .run-owner").Select(c => c.TextContent)));
        Assert.Empty(page.FindAll("#queue button"));
    }

    [Fact]
    public async Task Another_members_run_page_offers_no_cancel_or_delete()
    {
        var run = await QueueRunAsync(await AddSmolLm2Async(), (await AddDatasetAsync()).Id, "not-mine");
        SignInAs(Member);

        var page = Render<RunPage>(p => p.Add(c => c.RunId, run.Id));

        page.WaitForElement("#progress");
        Assert.Empty(page.FindAll("#cancel-run"));
        Assert.Empty(page.FindAll("#delete-run"));
    }

    [Fact]
    public async Task Another_members_dataset_page_says_it_is_private_and_shows_nothing_of_it()
    {
        var dataset = await AddDatasetAsync("locals-data");
        SignInAs(Member);

        var page = Render<DatasetPage>(p => p.Add(c => c.DatasetId, dataset.Id));

        page.WaitForElement("#dataset-private");
        Assert.Contains($"Dataset {dataset.Id} belongs to another user; only they and admins can read it.", page.Find("#dataset-private").TextContent);
        Assert.DoesNotContain("locals-data", page.Markup);
    }
}
