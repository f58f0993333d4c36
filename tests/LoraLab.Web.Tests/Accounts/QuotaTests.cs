using System.Net;
using System.Text;
using LoraLab.Web.Accounts;

namespace LoraLab.Web.Tests.Accounts;

/// <summary>Quotas an admin sets (or the defaults of LoraLab:Accounts) refuse what would exceed them, saying which and by how much.</summary>
public sealed class QuotaTests : IDisposable
{
    readonly TeamStudio _studio = TeamStudio.With(executor: null, ("LoraLab:Accounts:DefaultMaxQueuedRuns", "2"));

    [Fact]
    public async Task A_run_beyond_the_default_queued_run_quota_is_refused_until_one_is_cancelled()
    {
        var quinn = await _studio.AddUserAsync("quinn");
        var client = await _studio.ClientAsync(quinn);
        int modelId = await client.ModelIdAsync("SmolLM2-135M");
        int datasetId = (await client.UploadDatasetAsync()).Id;
        var first = await client.CreateRunAsync(modelId, datasetId, "one");
        await client.CreateRunAsync(modelId, datasetId, "two");

        var refused = await ProblemAssert.ReadAsync(await client.Http.PostAsync("/api/runs", Json(modelId, datasetId)), HttpStatusCode.Conflict);
        await client.PostAsync($"/api/runs/{first.Id}/cancel", HttpStatusCode.OK);
        var afterCancel = await client.Http.PostAsync("/api/runs", Json(modelId, datasetId));

        Assert.Equal("Queued-run quota reached", refused.Title);
        Assert.Equal("'quinn' has 2 run(s) queued and may have at most 2: cancel one or wait until one starts (an admin can raise the quota).", refused.Detail);
        Assert.Equal(HttpStatusCode.Created, afterCancel.StatusCode);
    }

    [Fact]
    public async Task A_users_own_queued_run_quota_overrides_the_default_and_applies_to_resuming()
    {
        var rosa = await _studio.AddUserAsync("rosa");
        var client = await _studio.ClientAsync(rosa);
        int modelId = await client.ModelIdAsync("SmolLM2-135M");
        int datasetId = (await client.UploadDatasetAsync()).Id;
        var cancelled = await client.CreateRunAsync(modelId, datasetId, "first");
        await client.PostAsync($"/api/runs/{cancelled.Id}/cancel", HttpStatusCode.OK);

        await _studio.Service<UserAdministration>().SetQuotasAsync(await _studio.AdminAsync(), rosa.UserId, maxQueuedRuns: 1, maxStorageBytes: null);
        await client.CreateRunAsync(modelId, datasetId, "second");
        var resume = await ProblemAssert.ReadAsync(await client.Http.PostAsync($"/api/runs/{cancelled.Id}/resume", null), HttpStatusCode.Conflict);

        Assert.StartsWith("'rosa' has 1 run(s) queued and may have at most 1", resume.Detail);
    }

    [Fact]
    public async Task An_upload_beyond_the_storage_quota_is_refused_and_not_kept()
    {
        var sam = await _studio.AddUserAsync("sam");
        var client = await _studio.ClientAsync(sam);
        int size = Encoding.UTF8.GetByteCount(StudioClient.ChatJsonl);
        await _studio.Service<UserAdministration>().SetQuotasAsync(await _studio.AdminAsync(), sam.UserId, null, maxStorageBytes: size + 10);
        await client.UploadDatasetAsync("first.jsonl");
        var datasetFiles = Directory.GetFiles(Path.Combine(_studio.Factory.Data.Path, "datasets")).Length;

        var second = await ProblemAssert.ReadAsync(await client.UploadAsync("second.jsonl", StudioClient.ChatJsonl), HttpStatusCode.Conflict);

        Assert.Equal("Storage quota reached", second.Title);
        Assert.Equal($"'sam' keeps {size:N0} bytes of datasets, adapters and merged models and may keep at most {size + 10:N0}: delete some (an admin can raise the quota).", second.Detail);
        Assert.Equal(datasetFiles, Directory.GetFiles(Path.Combine(_studio.Factory.Data.Path, "datasets")).Length);
    }

    [Fact]
    public async Task A_full_storage_quota_refuses_new_runs_since_they_write_adapters()
    {
        var tara = await _studio.AddUserAsync("tara");
        var client = await _studio.ClientAsync(tara);
        int datasetId = (await client.UploadDatasetAsync()).Id;
        await _studio.Service<UserAdministration>().SetQuotasAsync(await _studio.AdminAsync(), tara.UserId, null, maxStorageBytes: 1);

        var refused = await ProblemAssert.ReadAsync(
            await client.Http.PostAsync("/api/runs", Json(await client.ModelIdAsync("SmolLM2-135M"), datasetId)), HttpStatusCode.Conflict);

        Assert.Equal("Storage quota reached", refused.Title);
    }

    static StringContent Json(int modelId, int datasetId) =>
        new($$"""{"name": "more", "baseModelId": {{modelId}}, "datasetId": {{datasetId}}, "method": "lora"}""", Encoding.UTF8, "application/json");

    public void Dispose() => _studio.Dispose();
}
