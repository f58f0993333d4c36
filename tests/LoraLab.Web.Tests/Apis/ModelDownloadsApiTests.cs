using System.Net;
using System.Net.Http.Json;
using LoraLab.Engine.Tests.Hub;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Models;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Apis;

/// <summary>A studio whose Hub is a stand-in serving a tiny model under several repository ids, one per test.</summary>
public sealed class HubStudio : IAsyncLifetime
{
    readonly string _source = Directory.CreateTempSubdirectory("loralab-hub-source-").FullName;

    public TempDataFolder Data { get; } = new();
    public HubStandIn Hub { get; private set; } = null!;
    public StudioAppFactory Factory { get; private set; } = null!;
    public HubClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Hub = await HubStandIn.StartAsync();
        TinyModelFolder.Write(_source);
        Factory = Start();
        Client = new HubClient(Factory.CreateClient(), Hub);
    }

    /// <summary>Serves the tiny model as <paramref name="repoId"/>.</summary>
    public StandInRepo Serve(string repoId) => Hub.AddRepo(repoId).AddFolder(_source);

    /// <summary>A studio process on the same data folder and Hub, as after a restart.</summary>
    public StudioAppFactory Start() => new(Data, executor: null, ("LoraLab:HubEndpoint", Hub.Endpoint.AbsoluteUri), ("LoraLab:HubToken", "hf_test"));

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Hub.DisposeAsync();
        Data.Dispose();
        Directory.Delete(_source, recursive: true);
    }

    /// <summary>The downloads API as a script calls it.</summary>
    public sealed class HubClient(HttpClient http, HubStandIn hub)
    {
        public HttpClient Http => http;

        public async Task<HubDownloadSummary> StartAsync(string repoId)
        {
            var response = await http.PostAsJsonAsync("/api/models/downloads", new HubDownloadRequest(repoId), TestJson.Options);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var download = (await response.Content.ReadFromJsonAsync<HubDownloadSummary>(TestJson.Options))!;
            Assert.Equal($"/api/models/downloads/{download.Id}", response.Headers.Location?.OriginalString);
            return download;
        }

        public async Task<HubDownloadSummary> GetAsync(int id) =>
            (await http.GetFromJsonAsync<HubDownloadSummary>($"/api/models/downloads/{id}", TestJson.Options))!;

        public async Task<HubDownloadSummary> WaitForAsync(int id, Func<HubDownloadSummary, bool> condition, string what)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                var download = await GetAsync(id);
                if (condition(download)) return download;
                if (DateTime.UtcNow > deadline)
                    Assert.Fail($"Download {id} is {download.Status} after 30 s, not {what} ({download.Error}); the stand-in saw {string.Join(", ", hub.Requests.Select(r => r.Path))}.");
                await Task.Delay(25);
            }
        }

        public Task<HubDownloadSummary> WaitForStatusAsync(int id, HubDownloadStatus status) => WaitForAsync(id, d => d.Status == status, status.ToString());
    }
}

public sealed class ModelDownloadsApiTests(HubStudio studio) : IClassFixture<HubStudio>
{
    readonly HubStudio.HubClient _api = studio.Client;

    string Staging(string name) => Path.Combine(studio.Data.Path, "downloads", name);

    [Fact]
    public async Task A_download_ends_with_the_model_registered_from_the_hub_under_the_repository_name()
    {
        studio.Serve("tiny/llama-a");

        var started = await _api.StartAsync("tiny/llama-a");
        var done = await _api.WaitForStatusAsync(started.Id, HubDownloadStatus.Completed);

        var models = await _api.Http.GetFromJsonAsync<List<ModelSummary>>("/api/models", TestJson.Options);
        var model = models!.Single(m => m.Id == done.ModelId);
        Assert.Equal(("llama-a", ModelSource.Hub, "LlamaForCausalLM", null), (model.Name, model.Source, model.Architecture, model.Error));
        Assert.Equal(Path.Combine(studio.Data.ModelsFolder, "llama-a"), await studio.Factory.ModelFolderAsync(model.Id));
        Assert.Equal(done.BytesTotal, done.BytesDone);
        Assert.False(Directory.Exists(Staging("llama-a")));
    }

    [Fact]
    public async Task Deleting_a_downloaded_model_deletes_its_folder_and_both_the_download_and_the_deletion_are_audited()
    {
        studio.Serve("tiny/llama-delete");
        var done = await _api.WaitForStatusAsync((await _api.StartAsync("tiny/llama-delete")).Id, HubDownloadStatus.Completed);

        var response = await _api.Http.DeleteAsync($"/api/models/{done.ModelId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(Directory.Exists(done.Folder));
        var audit = studio.Factory.Services.GetRequiredService<AuditLog>();
        Assert.Contains(await audit.ListAsync(LocalUser.Id, AuditAction.ModelDownloadStarted), e => e.Subject == $"download {done.Id} of 'tiny/llama-delete' at main");
        Assert.Contains(await audit.ListAsync(LocalUser.Id, AuditAction.ModelDeleted), e => e.Subject == $"model {done.ModelId} 'llama-delete'");
    }

    [Theory]
    [InlineData("tiny/nowhere", "repoId", "There is no model repository 'tiny/nowhere' on {endpoint} that the access token can read.")]
    [InlineData("tiny/a/b", "repoId", "'tiny/a/b' has more than one '/'; a repository id is owner/name.")]
    public async Task A_download_the_hub_or_the_id_rules_refuse_is_a_400_naming_the_field(string repoId, string field, string message)
    {
        var response = await _api.Http.PostAsJsonAsync("/api/models/downloads", new HubDownloadRequest(repoId), TestJson.Options);

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal([message.Replace("{endpoint}", studio.Hub.Endpoint.AbsoluteUri.TrimEnd('/'))], problem.Errors[field]);
    }

    [Fact]
    public async Task A_repository_without_safetensors_is_refused_before_anything_is_queued()
    {
        var repo = studio.Serve("tiny/pickled");
        repo.Files.TryRemove("model.safetensors", out _);
        repo.Add("pytorch_model.bin", new byte[100], lfs: true);

        var response = await _api.Http.PostAsJsonAsync("/api/models/downloads", new HubDownloadRequest("tiny/pickled"), TestJson.Options);

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("(it holds pytorch_model.bin); LoRA Lab loads only safetensors weights.", problem.Errors["repoId"].Single());
        Assert.DoesNotContain((await _api.Http.GetFromJsonAsync<List<HubDownloadSummary>>("/api/models/downloads", TestJson.Options))!, d => d.RepoId == "tiny/pickled");
    }

    [Fact]
    public async Task An_unknown_revision_is_a_400_under_the_revision_field()
    {
        studio.Serve("tiny/llama-rev");

        var response = await _api.Http.PostAsJsonAsync("/api/models/downloads", new HubDownloadRequest("tiny/llama-rev", "v2"), TestJson.Options);

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["'tiny/llama-rev' has no branch, tag or commit 'v2'."], problem.Errors["revision"]);
    }

    [Fact]
    public async Task A_model_folder_that_already_exists_is_a_conflict()
    {
        studio.Serve("tiny/llama-here");
        studio.Data.AddModel("llama-here", TempDataFolder.SmolLm2Config);

        var response = await _api.Http.PostAsJsonAsync("/api/models/downloads", new HubDownloadRequest("tiny/llama-here"), TestJson.Options);

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.Equal($"{Path.Combine(studio.Data.ModelsFolder, "llama-here")} already exists; delete that model first to download it again.", problem.Detail);
    }

    [Fact]
    public async Task A_download_the_connection_cut_fails_then_resumes_from_the_bytes_it_has()
    {
        var weights = studio.Serve("tiny/llama-cut").Files["model.safetensors"];
        int cut = weights.Content.Length / 2;
        weights.FailAfter(cut);

        var failed = await _api.WaitForStatusAsync((await _api.StartAsync("tiny/llama-cut")).Id, HubDownloadStatus.Failed);
        var resumed = await _api.Http.PostAsync($"/api/models/downloads/{failed.Id}/resume", null);
        var again = (await resumed.Content.ReadFromJsonAsync<HubDownloadSummary>(TestJson.Options))!;
        await _api.WaitForStatusAsync(again.Id, HubDownloadStatus.Completed);

        Assert.EndsWith("resume to continue.", failed.Error);
        Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        Assert.Equal([null, $"bytes={cut}-"], studio.Hub.Requests
            .Where(r => r.Path == "/cdn/tiny/llama-cut/model.safetensors").Select(r => r.Range));
    }

    [Fact]
    public async Task A_cancelled_download_keeps_its_parts_until_it_is_discarded()
    {
        var weights = studio.Serve("tiny/llama-slow").Files["model.safetensors"];
        (weights.ChunkBytes, weights.ChunkDelay) = (4096, TimeSpan.FromMilliseconds(50));
        var started = await _api.StartAsync("tiny/llama-slow");
        string part = Path.Combine(Staging("llama-slow"), "model.safetensors.incomplete");
        // Not BytesDone > 0: it counts the files before the weights, and the part file appears only with the weights' first bytes.
        await _api.WaitForAsync(started.Id, _ => File.Exists(part), "receiving the weights");

        var cancel = await _api.Http.PostAsync($"/api/models/downloads/{started.Id}/cancel", null);
        var cancelled = await _api.WaitForStatusAsync(started.Id, HubDownloadStatus.Cancelled);
        bool partKept = File.Exists(part);
        var discard = await _api.Http.DeleteAsync($"/api/models/downloads/{started.Id}");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (cancel.StatusCode, discard.StatusCode));
        Assert.True(partKept, "the partial weights were not kept after cancelling");
        Assert.False(Directory.Exists(Staging("llama-slow")));
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Http.GetAsync($"/api/models/downloads/{cancelled.Id}")).StatusCode);
    }
}
