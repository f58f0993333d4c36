using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Web.Accounts;
using LoraLab.Web.Adapters;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Models;
using LoraLab.Web.Playground;
using LoraLab.Web.Tests.Adapters;

namespace LoraLab.Web.Tests.Accounts;

/// <summary>
/// The adapter library, the base models and the playground under a team's rules, through the API as scripts call it:
/// what a member imports, combines or merges is theirs and counts against their storage; folder imports, model
/// deletion and Hub downloads are for admins; playground sessions are private to their owner and votes say who cast them.
/// </summary>
public sealed class LibraryOwnershipTests : IClassFixture<TeamStudio>, IDisposable
{
    static readonly LoraConfig QV = new() { R = 2, LoraAlpha = 4, TargetModules = ["q_proj", "v_proj"], BaseModelNameOrPath = "tiny" };

    readonly TeamStudio _studio;
    readonly string _tiny;
    readonly string _scratch = Directory.CreateTempSubdirectory("loralab-library-owners-").FullName;

    public LibraryOwnershipTests(TeamStudio studio)
    {
        _studio = studio;
        _tiny = Path.Combine(studio.Factory.Data.ModelsFolder, "tiny");
        if (!Directory.Exists(_tiny)) TinyModelFolder.Write(_tiny);
    }

    async Task<HttpResponseMessage> UploadAsync(StudioClient client, string name, long seed, LoraConfig? config = null)
    {
        string folder = TestAdapters.WriteLora(_tiny, Path.Combine(_scratch, $"{name}-{seed}"), config ?? QV, seed);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestAdapters.Zip(folder)), "file", $"{name}.zip" } };
        return await client.Http.PostAsync("/api/adapters/import", form);
    }

    async Task<AdapterSummary> ImportAsync(StudioClient client, string name, long seed)
    {
        var response = await UploadAsync(client, name, seed);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<AdapterSummary>(TestJson.Options))!;
    }

    async Task<IReadOnlyList<AuditRecord>> AuditOfAsync(Caller caller, AuditAction action) =>
        await _studio.Service<AuditLog>().ListAsync(caller.UserId, action);

    [Fact]
    public async Task Imported_and_combined_adapters_belong_to_who_made_them_and_only_they_and_admins_delete_them()
    {
        var (amy, ben) = (await _studio.AddUserAsync("amy2"), await _studio.AddUserAsync("ben2"));
        var (amyClient, benClient) = (await _studio.ClientAsync(amy), await _studio.ClientAsync(ben));
        var amys = await ImportAsync(amyClient, "amys", seed: 1);
        var bens = await ImportAsync(benClient, "bens", seed: 2);

        var combined = await benClient.Http.PostAsJsonAsync("/api/adapters/combine", new AdapterCombination([new(amys.Id, 0.5), new(bens.Id, 0.5)], "mix"), TestJson.Options);
        var mix = (await combined.Content.ReadFromJsonAsync<AdapterSummary>(TestJson.Options))!;
        var refused = await ProblemAssert.ReadAsync(await amyClient.Http.DeleteAsync($"/api/adapters/{mix.Id}"), HttpStatusCode.Forbidden);
        var byAdmin = await (await _studio.ClientAsync(await _studio.AdminAsync())).Http.DeleteAsync($"/api/adapters/{mix.Id}");

        Assert.Equal((amy.UserId, "amy2"), (amys.Owner, amys.OwnerName));
        Assert.Equal((HttpStatusCode.Created, ben.UserId), (combined.StatusCode, mix.Owner));
        Assert.Equal($"Adapter {mix.Id} ('mix') belongs to 'ben2'; only they and admins can delete it.", refused.Detail);
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        Assert.Equal([$"adapter {amys.Id} 'amys'"], (await AuditOfAsync(amy, AuditAction.AdapterImported)).Select(e => e.Subject));
        Assert.Equal([$"adapter {mix.Id} 'mix'"], (await AuditOfAsync(ben, AuditAction.AdapterCombined)).Select(e => e.Subject));
    }

    [Fact]
    public async Task Only_admins_import_an_adapter_from_a_folder_on_the_host()
    {
        string folder = TestAdapters.WriteLora(_tiny, Path.Combine(_scratch, "on-host"), QV, seed: 3);
        var member = await _studio.ClientAsync(await _studio.AddUserAsync("cleo2"));
        var admin = await _studio.AdminAsync();

        var refused = await ProblemAssert.ReadAsync(await member.Http.PostAsJsonAsync("/api/adapters/import-folder", new { folder }, TestJson.Options), HttpStatusCode.Forbidden);
        var imported = await (await _studio.ClientAsync(admin)).Http.PostAsJsonAsync("/api/adapters/import-folder", new { folder, name = "from-host" }, TestJson.Options);

        Assert.Equal(("Admins only", "Only admins import adapters from folders on the studio's host; upload the adapter as a zip instead."), (refused.Title, refused.Detail));
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        Assert.Equal(admin.UserId, (await imported.Content.ReadFromJsonAsync<AdapterSummary>(TestJson.Options))!.Owner);
    }

    [Fact]
    public async Task Only_an_adapters_owner_or_an_admin_merges_it_and_the_merged_model_is_theirs_counted_in_their_storage()
    {
        var (dora, eli) = (await _studio.AddUserAsync("dora2"), await _studio.AddUserAsync("eli2"));
        var doraClient = await _studio.ClientAsync(dora);
        var adapter = await ImportAsync(doraClient, "doras", seed: 4);

        var refused = await ProblemAssert.ReadAsync(
            await (await _studio.ClientAsync(eli)).Http.PostAsJsonAsync($"/api/adapters/{adapter.Id}/merge", new { name = "elis-merge" }, TestJson.Options), HttpStatusCode.Forbidden);
        var merged = await doraClient.Http.PostAsJsonAsync($"/api/adapters/{adapter.Id}/merge", new { name = "doras-merge" }, TestJson.Options);

        Assert.Equal($"Adapter {adapter.Id} ('doras') belongs to 'dora2'; only they and admins can merge it into a new base model.", refused.Detail);
        Assert.False(Directory.Exists(Path.Combine(_studio.Factory.Data.ModelsFolder, "elis-merge")));
        Assert.Equal(HttpStatusCode.Created, merged.StatusCode);
        var model = (await merged.Content.ReadFromJsonAsync<ModelSummary>(TestJson.Options))!;
        Assert.Equal(dora.UserId, model.Owner);
        Assert.Equal([$"adapter {adapter.Id} 'doras' into model {model.Id} 'doras-merge'"], (await AuditOfAsync(dora, AuditAction.AdapterMerged)).Select(e => e.Subject));
        long modelBytes = Directory.EnumerateFiles(await _studio.Factory.ModelFolderAsync(model.Id)).Sum(f => new FileInfo(f).Length);
        Assert.Equal(adapter.SizeBytes + modelBytes, (await _studio.Service<UserAdministration>().FindAsync(dora.UserId))!.StorageBytes);
    }

    [Fact]
    public async Task An_import_that_does_not_fit_the_storage_quota_is_refused_and_leaves_nothing_behind()
    {
        var fay = await _studio.AddUserAsync("fay2");
        await _studio.Service<UserAdministration>().SetQuotasAsync(await _studio.AdminAsync(), fay.UserId, null, maxStorageBytes: 1);
        var client = await _studio.ClientAsync(fay);

        var refused = await ProblemAssert.ReadAsync(await UploadAsync(client, "too-big", seed: 5), HttpStatusCode.Conflict);

        Assert.Equal(("Storage quota reached", "'fay2' keeps 0 bytes of datasets, adapters and merged models and may keep at most 1: delete some (an admin can raise the quota)."),
            (refused.Title, refused.Detail));
        Assert.DoesNotContain((await client.Http.GetFromJsonAsync<List<AdapterSummary>>("/api/adapters", TestJson.Options))!, a => a.Owner == fay.UserId);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_studio.Factory.Data.Path, "tmp")));
    }

    [Fact]
    public async Task Members_see_models_and_downloads_but_only_admins_delete_models_or_manage_hub_downloads()
    {
        var member = await _studio.ClientAsync(await _studio.AddUserAsync("gus2"));
        var admin = await _studio.AdminAsync();
        Directory.CreateDirectory(Path.Combine(_studio.Factory.Data.ModelsFolder, "spare"));
        File.WriteAllText(Path.Combine(_studio.Factory.Data.ModelsFolder, "spare", "config.json"), TempDataFolder.SmolLm2Config);
        int spare = await member.ModelIdAsync("spare");

        var answers = new Dictionary<string, HttpResponseMessage>
        {
            ["delete"] = await member.Http.DeleteAsync($"/api/models/{spare}"),
            ["start"] = await member.Http.PostAsJsonAsync("/api/models/downloads", new HubDownloadRequest("owner/model"), TestJson.Options),
            ["cancel"] = await member.Http.PostAsync("/api/models/downloads/1/cancel", null),
            ["resume"] = await member.Http.PostAsync("/api/models/downloads/1/resume", null),
            ["discard"] = await member.Http.DeleteAsync("/api/models/downloads/1"),
        };
        var listed = await member.Http.GetAsync("/api/models/downloads");
        var deleted = await (await _studio.ClientAsync(admin)).Http.DeleteAsync($"/api/models/{spare}");

        Assert.All(answers, a => Assert.True(a.Value.StatusCode == HttpStatusCode.Forbidden, $"{a.Key} answered {(int)a.Value.StatusCode}"));
        Assert.Equal("Only admins register or delete base models.", (await ProblemAssert.ReadAsync(answers["delete"], HttpStatusCode.Forbidden)).Detail);
        Assert.Equal("Only admins download models from the Hub, as base models are the team's.", (await ProblemAssert.ReadAsync(answers["start"], HttpStatusCode.Forbidden)).Detail);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal([$"model {spare} 'spare'"], (await AuditOfAsync(admin, AuditAction.ModelDeleted)).Select(e => e.Subject));
    }

    [Fact]
    public async Task A_playground_session_is_private_to_its_owner_while_admins_see_everyones()
    {
        var (hal, ivy) = (await _studio.AddUserAsync("hal2"), await _studio.AddUserAsync("ivy2"));
        var (halClient, ivyClient) = (await _studio.ClientAsync(hal), await _studio.ClientAsync(ivy));
        var saved = await halClient.Http.PostAsJsonAsync("/api/playground/sessions", new { name = "hals", payload = new JsonObject { ["message"] = "hi" } }, TestJson.Options);
        var session = (await saved.Content.ReadFromJsonAsync<PlaygroundSessionSummary>(TestJson.Options))!;

        var read = await ProblemAssert.ReadAsync(await ivyClient.Http.GetAsync($"/api/playground/sessions/{session.Id}"), HttpStatusCode.Forbidden);
        var delete = await ivyClient.Http.DeleteAsync($"/api/playground/sessions/{session.Id}");
        var ivySees = await ivyClient.Http.GetFromJsonAsync<List<PlaygroundSessionSummary>>("/api/playground/sessions", TestJson.Options);
        var adminSees = await (await _studio.ClientAsync(await _studio.AdminAsync())).Http.GetFromJsonAsync<List<PlaygroundSessionSummary>>("/api/playground/sessions", TestJson.Options);

        Assert.Equal((hal.UserId, "hal2"), (session.Owner, session.OwnerName));
        Assert.Equal("The session is private", read.Title);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.DoesNotContain(ivySees!, s => s.Id == session.Id);
        Assert.Contains(adminSees!, s => s.Id == session.Id && s.OwnerName == "hal2");
        Assert.Equal(HttpStatusCode.NoContent, (await halClient.Http.DeleteAsync($"/api/playground/sessions/{session.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_member_generates_and_votes_in_the_playground_and_the_vote_records_its_voter()
    {
        var jo = await _studio.AddUserAsync("jo2");
        var client = await _studio.ClientAsync(jo);
        var adapter = await ImportAsync(client, "jos", seed: 6);
        var request = new PlaygroundRequest(adapter.BaseModelId, [new PlaygroundColumn(null), new PlaygroundColumn(adapter.Id)],
            PlaygroundPrompt.Chat("hello"), new SamplingSettings { MaxNewTokens = 3 });

        var generated = await client.Http.PostAsJsonAsync("/api/playground/generate", request, TestJson.Options);
        var voted = await client.Http.PostAsJsonAsync("/api/playground/votes",
            new NewVote(adapter.BaseModelId, null, adapter.Id, VoteChoice.B, "hello", "a", "b"), TestJson.Options);

        Assert.True(generated.StatusCode == HttpStatusCode.OK, await generated.Content.ReadAsStringAsync());
        Assert.Equal(2, (await generated.Content.ReadFromJsonAsync<PlaygroundAnswers>(TestJson.Options))!.Columns.Count);
        Assert.Equal(HttpStatusCode.Created, voted.StatusCode);
        Assert.Equal(jo.UserId, (await voted.Content.ReadFromJsonAsync<VoteSummary>(TestJson.Options))!.Voter);
    }

    [Fact]
    public async Task A_prompt_set_cannot_read_another_members_private_dataset()
    {
        var (kim, lou) = (await _studio.AddUserAsync("kim2"), await _studio.AddUserAsync("lou2"));
        var kims = await (await _studio.ClientAsync(kim)).UploadDatasetAsync("kims.jsonl");
        int tinyId = await (await _studio.ClientAsync(lou)).ModelIdAsync("tiny");

        var refused = await ProblemAssert.ReadAsync(await (await _studio.ClientAsync(lou)).Http.PostAsJsonAsync("/api/playground/prompt-set",
            new PromptSetRequest(tinyId, [new PlaygroundColumn(null)], DatasetId: kims.Id), TestJson.Options), HttpStatusCode.Forbidden);

        Assert.Equal($"Dataset {kims.Id} belongs to another user; only they and admins can read it.", refused.Detail);
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}
