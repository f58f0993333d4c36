using System.Net;
using System.Net.Http.Json;
using LoraLab.Web.Models;

namespace LoraLab.Web.Tests.Apis;

public sealed class ModelDownloadRestartTests : IAsyncLifetime
{
    readonly HubStudio _studio = new();

    public Task InitializeAsync() => _studio.InitializeAsync();

    public Task DisposeAsync() => _studio.DisposeAsync();

    [Fact]
    public async Task A_download_the_studio_stopped_during_is_listed_after_the_restart_and_resumes_from_its_parts()
    {
        var weights = _studio.Serve("tiny/llama-restart").Files["model.safetensors"];
        (weights.ChunkBytes, weights.ChunkDelay) = (4096, TimeSpan.FromMilliseconds(50));
        var started = await _studio.Client.StartAsync("tiny/llama-restart");
        await _studio.Client.WaitForAsync(started.Id, d => d.CurrentFile == "model.safetensors" && d.BytesDone > 0, "receiving the weights");

        await _studio.Factory.DisposeAsync();
        long kept = new FileInfo(Path.Combine(_studio.Data.Path, "downloads", "llama-restart", "model.safetensors.incomplete")).Length;
        weights.ChunkDelay = TimeSpan.Zero;
        await using var restarted = _studio.Start();
        var api = new HubStudio.HubClient(restarted.CreateClient(), _studio.Hub);
        var listed = Assert.Single((await api.Http.GetFromJsonAsync<List<HubDownloadSummary>>("/api/models/downloads", TestJson.Options))!);
        var resumed = await api.Http.PostAsync($"/api/models/downloads/{listed.Id}/resume", null);
        var again = (await resumed.Content.ReadFromJsonAsync<HubDownloadSummary>(TestJson.Options))!;
        var done = await api.WaitForStatusAsync(again.Id, HubDownloadStatus.Completed);

        Assert.Equal(("tiny/llama-restart", HubDownloadStatus.Interrupted), (listed.RepoId, listed.Status));
        Assert.True(kept > 0, "nothing of the weights was on disk when the studio stopped");
        Assert.Equal($"bytes={kept}-", _studio.Hub.Requests.Where(r => r.Path.EndsWith("/model.safetensors")).Select(r => r.Range).Last());
        Assert.Equal(weights.Content, await File.ReadAllBytesAsync(Path.Combine(done.Folder, "model.safetensors")));
    }
}
