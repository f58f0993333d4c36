using System.Net;
using System.Net.Http.Json;
using LoraLab.Web.Accounts;
using LoraLab.Web.Adapters;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Datasets;
using LoraLab.Web.Training;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Tests.Accounts;

/// <summary>
/// Who may do what to whose records, through the API as scripts call it: datasets are private to their owner; runs
/// and adapters are read by the whole team but changed only by their owner; admins manage everything.
/// </summary>
public sealed class OwnershipTests(TeamStudio studio) : IClassFixture<TeamStudio>
{
    [Fact]
    public async Task A_member_cannot_read_or_download_another_members_dataset_and_does_not_see_it_listed()
    {
        var (alice, bob) = (await studio.ClientAsync(await studio.AddUserAsync("alice1")), await studio.ClientAsync(await studio.AddUserAsync("bob1")));
        var bobs = await bob.UploadDatasetAsync("bobs-secret.jsonl");

        var summary = await ProblemAssert.ReadAsync(await alice.Http.GetAsync($"/api/datasets/{bobs.Id}"), HttpStatusCode.Forbidden);
        var file = await ProblemAssert.ReadAsync(await alice.Http.GetAsync($"/api/datasets/{bobs.Id}/file"), HttpStatusCode.Forbidden);
        var aliceSees = await alice.Http.GetFromJsonAsync<List<DatasetSummary>>("/api/datasets", TestJson.Options);

        Assert.Equal(("The dataset is private", $"Dataset {bobs.Id} belongs to another user; only they and admins can read it."), (file.Title, file.Detail));
        Assert.Equal(file.Detail, summary.Detail);
        Assert.DoesNotContain(aliceSees!, d => d.Id == bobs.Id);
    }

    [Fact]
    public async Task An_owner_and_an_admin_download_the_dataset_file_as_uploaded_and_each_download_is_audited()
    {
        var carol = await studio.AddUserAsync("carol1");
        var mine = await (await studio.ClientAsync(carol)).UploadDatasetAsync("carols.jsonl");
        var admin = await studio.ClientAsync(await studio.AdminAsync());

        string byOwner = await (await studio.ClientAsync(carol)).Http.GetStringAsync($"/api/datasets/{mine.Id}/file");
        string byAdmin = await admin.Http.GetStringAsync($"/api/datasets/{mine.Id}/file");

        Assert.Equal(StudioClient.ChatJsonl, byOwner);
        Assert.Equal(StudioClient.ChatJsonl, byAdmin);
        var downloads = await studio.Service<AuditLog>().ListAsync(action: AuditAction.DatasetDownloaded);
        Assert.Contains(downloads, e => e.UserName == "carol1" && e.Subject == $"dataset {mine.Id} 'carols'");
        Assert.Contains(downloads, e => e.UserName == TeamStudio.AdminName && e.Subject == $"dataset {mine.Id} 'carols'");
    }

    [Fact]
    public async Task A_member_reads_another_members_run_but_cannot_cancel_or_delete_it_while_an_admin_can()
    {
        var (dave, erin) = (await studio.AddUserAsync("dave1"), await studio.AddUserAsync("erin1"));
        var daveClient = await studio.ClientAsync(dave);
        var erinClient = await studio.ClientAsync(erin);
        var run = await daveClient.CreateRunAsync(await daveClient.ModelIdAsync("SmolLM2-135M"), (await daveClient.UploadDatasetAsync()).Id, "daves-run");

        var read = await erinClient.GetRunAsync(run.Id);
        var listed = await erinClient.ListRunsAsync();
        var cancel = await ProblemAssert.ReadAsync(await erinClient.Http.PostAsync($"/api/runs/{run.Id}/cancel", null), HttpStatusCode.Forbidden);
        var delete = await ProblemAssert.ReadAsync(await erinClient.Http.DeleteAsync($"/api/runs/{run.Id}"), HttpStatusCode.Forbidden);
        var deletedByAdmin = await (await studio.ClientAsync(await studio.AdminAsync())).Http.DeleteAsync($"/api/runs/{run.Id}");

        Assert.Equal(("daves-run", dave.UserId, "dave1"), (read.Run.Name, read.Run.Owner, read.Run.OwnerName));
        Assert.Contains(listed, r => r.Id == run.Id);
        Assert.Equal(("The run is not yours", $"Run {run.Id} ('daves-run') belongs to another user; only they and admins can cancel it."), (cancel.Title, cancel.Detail));
        Assert.EndsWith("only they and admins can delete it.", delete.Detail);
        Assert.Equal(HttpStatusCode.OK, deletedByAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await daveClient.Http.GetAsync($"/api/runs/{run.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_member_reads_and_downloads_another_members_adapter_but_only_its_owner_deletes_it()
    {
        var (frank, gina) = (await studio.AddUserAsync("frank1"), await studio.AddUserAsync("gina1"));
        int adapterId = await AddAdapterAsync(frank, "franks-adapter");
        var ginaClient = await studio.ClientAsync(gina);

        var refused = await ProblemAssert.ReadAsync(await ginaClient.Http.DeleteAsync($"/api/adapters/{adapterId}"), HttpStatusCode.Forbidden);
        var seen = await ginaClient.Http.GetFromJsonAsync<AdapterSummary>($"/api/adapters/{adapterId}", TestJson.Options);
        var download = await ginaClient.Http.GetAsync($"/api/adapters/{adapterId}/download");
        var deleted = await (await studio.ClientAsync(frank)).Http.DeleteAsync($"/api/adapters/{adapterId}");

        Assert.Equal($"Adapter {adapterId} ('franks-adapter') belongs to 'frank1'; only they and admins can delete it.", refused.Detail);
        Assert.Equal(("frank1", frank.UserId), (seen!.OwnerName, seen.Owner));
        Assert.Equal(("application/zip", HttpStatusCode.OK), (download.Content.Headers.ContentType?.MediaType, download.StatusCode));
        Assert.Contains(await studio.Service<AuditLog>().ListAsync(gina.UserId, AuditAction.AdapterDownloaded), e => e.Subject == $"adapter {adapterId} 'franks-adapter'");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Contains(await studio.Service<AuditLog>().ListAsync(frank.UserId, AuditAction.AdapterDeleted), e => e.Subject == $"adapter {adapterId} 'franks-adapter'");
    }

    [Fact]
    public async Task A_member_cannot_train_on_another_members_private_dataset_but_trains_on_a_shared_one()
    {
        var (hana, ivan) = (await studio.AddUserAsync("hana1"), await studio.AddUserAsync("ivan1"));
        var hanaClient = await studio.ClientAsync(hana);
        var ivans = await (await studio.ClientAsync(ivan)).UploadDatasetAsync("ivans.jsonl");
        var shared = (await studio.Service<DatasetStore>().AddAsync("demo.jsonl", "demo", new MemoryStream("{\"text\": \"hi\"}"u8.ToArray()), Caller.Local, shared: true)).Value!;
        int modelId = await hanaClient.ModelIdAsync("SmolLM2-135M");

        var refused = await ProblemAssert.ReadAsync(
            await hanaClient.Http.PostAsJsonAsync("/api/runs", new NewRun("r", modelId, ivans.Id, "lora", null), TestJson.Options), HttpStatusCode.BadRequest);
        var onShared = await hanaClient.CreateRunAsync(modelId, shared.Id, "on-the-demo");

        Assert.Equal([$"Dataset {ivans.Id} is another user's private dataset; train on one of yours."], refused.Errors["datasetId"]);
        Assert.Equal(hana.UserId, onShared.Owner);
        Assert.Contains(await hanaClient.Http.GetFromJsonAsync<List<DatasetSummary>>("/api/datasets", TestJson.Options) ?? [], d => d.Id == shared.Id && d.Shared);
    }

    [Fact]
    public async Task Only_admins_reorder_the_queue()
    {
        var jack = await studio.AddUserAsync("jack1");
        var client = await studio.ClientAsync(jack);
        var run = await client.CreateRunAsync(await client.ModelIdAsync("SmolLM2-135M"), (await client.UploadDatasetAsync()).Id, "jacks-run");

        var refused = await ProblemAssert.ReadAsync(await client.Http.PostAsJsonAsync($"/api/runs/{run.Id}/position", new { position = 1 }), HttpStatusCode.Forbidden);
        var moved = await (await studio.ClientAsync(await studio.AdminAsync())).Http.PostAsJsonAsync($"/api/runs/{run.Id}/position", new { position = 1 });

        Assert.Equal("Only admins reorder the queue", refused.Title);
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Contains(await studio.Service<AuditLog>().ListAsync(action: AuditAction.RunMoved), e => e.Subject == $"run {run.Id} 'jacks-run' to position 1");
    }

    [Fact]
    public async Task Launching_cancelling_and_deleting_are_audited_with_who_did_them()
    {
        var kate = await studio.AddUserAsync("kate1");
        var client = await studio.ClientAsync(kate);
        var run = await client.CreateRunAsync(await client.ModelIdAsync("SmolLM2-135M"), (await client.UploadDatasetAsync()).Id, "kates-run");

        await client.PostAsync($"/api/runs/{run.Id}/cancel", HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.DeleteAsync($"/api/runs/{run.Id}")).StatusCode);

        var kates = await studio.Service<AuditLog>().ListAsync(userId: kate.UserId);
        Assert.Equal(
            [AuditAction.TokenCreated, AuditAction.DatasetUploaded, AuditAction.RunLaunched, AuditAction.RunCancelled, AuditAction.RunDeleted],
            kates.Reverse().Select(e => e.Action));
        Assert.All(kates, e => Assert.Equal("kate1", e.UserName));
        Assert.Equal($"run {run.Id} 'kates-run'", kates[0].Subject);
    }

    async Task<int> AddAdapterAsync(Caller owner, string name)
    {
        await using var db = await studio.Service<IDbContextFactory<LoraLabDbContext>>().CreateDbContextAsync();
        string folder = Directory.CreateDirectory(Path.Combine(studio.Factory.Data.Path, "adapters", name)).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "adapter_config.json"), Training.ScriptedExecutor.AdapterConfig);
        var adapter = new Adapter
        {
            Name = name, Method = "lora", Folder = folder, Owner = owner.UserId, CreatedAt = DateTime.UtcNow,
            BaseModelId = await db.BaseModels.Select(m => m.Id).FirstAsync(),
        };
        db.Adapters.Add(adapter);
        await db.SaveChangesAsync();
        return adapter.Id;
    }
}
