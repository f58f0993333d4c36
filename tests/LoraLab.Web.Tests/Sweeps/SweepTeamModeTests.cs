using System.Net;
using System.Net.Http.Json;
using LoraLab.Web.Sweeps;
using LoraLab.Web.Tests.Accounts;

namespace LoraLab.Web.Tests.Sweeps;

/// <summary>Sweeps in a team studio: queued as the caller, within the caller's queued-run quota for all the runs at once.</summary>
public sealed class SweepTeamModeTests : IDisposable
{
    readonly TeamStudio _studio = TeamStudio.With(executor: null, ("LoraLab:Accounts:DefaultMaxQueuedRuns", "3"));

    static object Sweep(int modelId, int datasetId, params double[] ranks) => new
    {
        name = "ranks", baseModelId = modelId, datasetId, method = "lora",
        settings = new[] { new { section = "method", field = "r", values = ranks } },
    };

    [Fact]
    public async Task A_members_sweep_and_its_runs_are_theirs()
    {
        var member = await _studio.AddUserAsync("mia");
        var client = await _studio.ClientAsync(member);
        int modelId = await client.ModelIdAsync("SmolLM2-135M");
        var dataset = await client.UploadDatasetAsync();

        var response = await client.Http.PostAsJsonAsync("/api/sweeps", Sweep(modelId, dataset.Id, 4, 8));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var sweep = (await response.Content.ReadFromJsonAsync<SweepDetails>(TestJson.Options))!;
        Assert.Equal((member.UserId, "mia"), (sweep.Sweep.Owner, sweep.Sweep.OwnerName));
        var runs = (await client.ListRunsAsync()).Where(r => sweep.Runs.Any(s => s.RunId == r.Id)).ToList();
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal(member.UserId, r.Owner));
    }

    [Fact]
    public async Task Only_its_owner_or_an_admin_deletes_a_sweep_and_its_runs_go_with_it()
    {
        var owner = await _studio.AddUserAsync("ada");
        var other = await _studio.AddUserAsync("bo");
        var client = await _studio.ClientAsync(owner);
        int modelId = await client.ModelIdAsync("SmolLM2-135M");
        var dataset = await client.UploadDatasetAsync();
        var sweep = (await (await client.Http.PostAsJsonAsync("/api/sweeps", Sweep(modelId, dataset.Id, 4, 8))).Content.ReadFromJsonAsync<SweepDetails>(TestJson.Options))!;

        var refused = await (await _studio.ClientAsync(other)).Http.DeleteAsync($"/api/sweeps/{sweep.Sweep.Id}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("belongs to another user", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync($"/api/sweeps/{sweep.Sweep.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await client.Http.DeleteAsync($"/api/sweeps/{sweep.Sweep.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync($"/api/sweeps/{sweep.Sweep.Id}")).StatusCode);
        foreach (var run in sweep.Runs) Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync($"/api/runs/{run.RunId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.DeleteAsync($"/api/sweeps/{sweep.Sweep.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_sweep_with_more_runs_than_the_quota_leaves_is_refused_whole()
    {
        var member = await _studio.AddUserAsync("noor");
        var client = await _studio.ClientAsync(member);
        int modelId = await client.ModelIdAsync("SmolLM2-135M");
        var dataset = await client.UploadDatasetAsync();
        await client.CreateRunAsync(modelId, dataset.Id, "already-queued");

        var response = await client.Http.PostAsJsonAsync("/api/sweeps", Sweep(modelId, dataset.Id, 4, 8, 16));

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("The sweep queues 3 runs, but 'noor' has 1 queued and may have at most 3: sweep fewer combinations or wait until some start (an admin can raise the quota).", problem.Detail);
        Assert.Equal(["already-queued"], (await client.ListRunsAsync()).Where(r => r.Owner == member.UserId).Select(r => r.Name));
    }

    public void Dispose() => _studio.Dispose();
}
