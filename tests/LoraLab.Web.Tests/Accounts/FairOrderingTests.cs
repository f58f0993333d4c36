using LoraLab.Web.Data.Entities;
using LoraLab.Web.Tests.Training;

namespace LoraLab.Web.Tests.Accounts;

/// <summary>When the device frees, the next run comes from the user served least recently: members take turns.</summary>
public sealed class FairOrderingTests : IDisposable
{
    readonly ScriptedExecutor _executor = new() { BlockBeforeStep = 1 };
    readonly TeamStudio _studio;

    public FairOrderingTests() => _studio = TeamStudio.With(_executor);

    [Fact]
    public async Task Runs_queued_by_three_members_start_round_robin_while_each_members_own_runs_keep_their_order()
    {
        var ada = await _studio.ClientAsync(await _studio.AddUserAsync("ada"));
        var ben = await _studio.ClientAsync(await _studio.AddUserAsync("ben"));
        var cy = await _studio.ClientAsync(await _studio.AddUserAsync("cy"));
        int modelId = await ada.ModelIdAsync("SmolLM2-135M");
        var (adaData, benData, cyData) = ((await ada.UploadDatasetAsync()).Id, (await ben.UploadDatasetAsync()).Id, (await cy.UploadDatasetAsync()).Id);

        var a0 = await ada.CreateRunAsync(modelId, adaData, "a0");
        Assert.Equal(a0.Id, await _executor.WaitUntilBlockedAsync());
        var a1 = await ada.CreateRunAsync(modelId, adaData, "a1");
        var a2 = await ada.CreateRunAsync(modelId, adaData, "a2");
        var b1 = await ben.CreateRunAsync(modelId, benData, "b1");
        var b2 = await ben.CreateRunAsync(modelId, benData, "b2");
        var c1 = await cy.CreateRunAsync(modelId, cyData, "c1");
        var queue = (await ada.ListRunsAsync()).Where(r => r.Status == RunStatus.Queued).OrderBy(r => r.QueuePosition).Select(r => r.Name);

        _executor.Release();
        await ada.WaitForStatusAsync(a2.Id, RunStatus.Completed);

        // Ada is training: Ben and Cy, never served, come first; then everyone's second run, Ada's third last.
        Assert.Equal(["b1", "c1", "a1", "b2", "a2"], queue);
        Assert.Equal([a0.Id, b1.Id, c1.Id, a1.Id, b2.Id, a2.Id], _executor.Requests.Select(r => r.RunId));
    }

    public void Dispose() => _studio.Dispose();
}
