using LoraLab.Engine.Hub;
using LoraLab.Web.Accounts;
using LoraLab.Web.Models;
using LoraLab.Web.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Tests.Models;

public sealed class HubDownloadsTests : IDisposable
{
    readonly TempDataFolder _data = new();

    HubDownloads Downloads(string? endpoint)
    {
        var options = Options.Create(new LoraLabOptions { DataPath = _data.Path, RegisterDemo = false, HubEndpoint = endpoint });
        var db = TestDatabase.Create(_data.Path);
        var registry = new ModelRegistry(db, new DataFolder(_data.Path), options, TimeProvider.System);
        return new HubDownloads(options, registry, new DataFolder(_data.Path), new AuditLog(db, TimeProvider.System), TimeProvider.System, NullLogger<HubDownloads>.Instance);
    }

    [Theory]
    [InlineData("main", "SmolLM2-135M")]
    [InlineData("v1.0", "SmolLM2-135M@v1.0")]
    [InlineData("refs/pr/1", "SmolLM2-135M@refs-pr-1")]
    public void A_download_goes_to_a_folder_named_after_the_repository_and_any_revision_but_main(string revision, string folder) =>
        Assert.Equal(folder, HubDownloads.FolderName(HubRepoId.Parse("HuggingFaceTB/SmolLM2-135M"), revision));

    [Fact]
    public async Task An_endpoint_that_is_not_a_web_address_refuses_downloads_naming_the_setting()
    {
        using var downloads = Downloads("ftp://mirror.local");

        var refused = await downloads.StartAsync("owner/model", null, Caller.Local);

        Assert.Equal("The Hub endpoint 'ftp://mirror.local/' is not an http or https address: set LoraLab:HubEndpoint (or HF_ENDPOINT) to the Hub's address.",
            refused.Failure!.Detail);
        Assert.Equal("(not configured)", downloads.Endpoint);
    }

    [Fact]
    public void Folders_a_previous_run_left_with_a_download_marker_are_listed_as_interrupted()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_data.Path, "downloads", "SmolLM2-135M")).FullName;
        File.WriteAllText(Path.Combine(folder, HubDownloadMarker.FileName), """{"repo_id": "HuggingFaceTB/SmolLM2-135M", "revision": "main", "commit": "abc"}""");
        File.WriteAllBytes(Path.Combine(folder, "model.safetensors.incomplete"), new byte[1000]);
        Directory.CreateDirectory(Path.Combine(_data.Path, "downloads", "stray"));

        using var downloads = Downloads(null);

        var interrupted = Assert.Single(downloads.List());
        Assert.Equal(("HuggingFaceTB/SmolLM2-135M", HubDownloadStatus.Interrupted, Path.Combine(_data.ModelsFolder, "SmolLM2-135M")),
            (interrupted.RepoId, interrupted.Status, interrupted.Folder));
        Assert.Equal(1000 + new FileInfo(Path.Combine(folder, HubDownloadMarker.FileName)).Length, interrupted.BytesDone);
    }

    public void Dispose() => _data.Dispose();
}
