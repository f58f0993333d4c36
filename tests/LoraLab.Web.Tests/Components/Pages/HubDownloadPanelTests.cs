using Bunit;
using LoraLab.Engine.Tests.Hub;
using LoraLab.Web.Accounts;
using LoraLab.Web.Components.Pages.BaseModels;
using LoraLab.Web.Models;
using LoraLab.Web.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Tests.Components.Pages;

/// <summary>A stand-in Hub serving the tiny test model as "tiny/llama", shared by a test class.</summary>
public sealed class StandInHubFixture : IAsyncLifetime
{
    readonly string _source = Directory.CreateTempSubdirectory("loralab-hub-source-").FullName;

    public HubStandIn Hub { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Hub = await HubStandIn.StartAsync();
        Hub.AddRepo("tiny/llama").AddFolder(TinyModelFolder.Write(_source));
    }

    public async Task DisposeAsync()
    {
        await Hub.DisposeAsync();
        Directory.Delete(_source, recursive: true);
    }
}

public sealed class HubDownloadPanelTests : StudioComponentContext, IClassFixture<StandInHubFixture>
{
    readonly HubDownloads _downloads;

    public HubDownloadPanelTests(StandInHubFixture hub)
    {
        var options = Options.Create(new LoraLabOptions { DataPath = Data.Path, RegisterDemo = false, HubEndpoint = hub.Hub.Endpoint.AbsoluteUri, HubToken = "hf_test" });
        _downloads = new HubDownloads(options, Registry, new DataFolder(Data.Path), Audit, TimeProvider.System, NullLogger<HubDownloads>.Instance);
        Services.AddSingleton(_downloads);
    }

    static string? HelperText(IRenderedComponent<HubDownloadPanel> panel) =>
        panel.Find("#hub-repo-id").Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text")?.TextContent.Trim();

    [Fact]
    public void A_malformed_repository_id_is_explained_as_it_is_typed_and_cannot_be_downloaded()
    {
        var panel = Render<HubDownloadPanel>();

        panel.Find("#hub-repo-id").Input("tiny/a b");

        Assert.Equal("'tiny/a b' is not a repository id: ' ' is not allowed (only letters, digits, '-', '_' and '.').", HelperText(panel));
        Assert.True(panel.Find("#hub-download-button").HasAttribute("disabled"));
        panel.Find("#hub-repo-id").Input("tiny/llama");
        Assert.Null(HelperText(panel));
        Assert.False(panel.Find("#hub-download-button").HasAttribute("disabled"));
    }

    [Fact]
    public void A_repository_the_hub_does_not_know_is_named_under_the_id()
    {
        var panel = Render<HubDownloadPanel>();

        panel.Find("#hub-repo-id").Input("tiny/unknown");
        panel.Find("#hub-download-button").Click();

        panel.WaitForAssertion(() => Assert.StartsWith("There is no model repository 'tiny/unknown' on http://127.0.0.1:", HelperText(panel)));
        Assert.Empty(panel.FindAll(".hub-download"));
    }

    [Fact]
    public void A_started_download_is_listed_and_follows_the_service_as_it_changes()
    {
        var panel = Render<HubDownloadPanel>();
        panel.Find("#hub-repo-id").Input("tiny/llama");
        panel.Find("#hub-download-button").Click();
        var queued = panel.WaitForElement(".hub-download");
        Assert.Equal("Queued", queued.GetAttribute("data-status"));
        Assert.StartsWith("3 files, ", queued.QuerySelector(".download-bytes")!.TextContent);

        _downloads.Cancel(_downloads.List().Single().Id, Caller.Local);

        panel.WaitForAssertion(() => Assert.Equal("Cancelled", panel.Find(".hub-download").GetAttribute("data-status")));
        Assert.NotEmpty(panel.FindAll(".download-resume"));
    }

    [Fact]
    public async Task A_download_from_the_models_page_ends_with_the_model_in_its_table()
    {
        var worker = new HubDownloadWorker(_downloads);
        await worker.StartAsync(CancellationToken.None);
        try
        {
            var page = Render<ModelsPage>();
            page.WaitForElement("#no-models");

            page.Find("#hub-repo-id").Input("tiny/llama");
            page.Find("#hub-download-button").Click();

            page.WaitForAssertion(() => Assert.Equal("llama", page.Find("#models .model-name").TextContent), TimeSpan.FromSeconds(30));
            Assert.Equal("Completed", page.Find(".hub-download").GetAttribute("data-status"));
            Assert.Contains("hub", page.FindAll("#models td").Select(td => td.TextContent.Trim()));
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
    }
}

public sealed class HubDownloadRowTests : MudBlazorContext
{
    static HubDownloadSummary Download(HubDownloadStatus status, string? error = null, int? modelId = null) => new(
        7, "HuggingFaceTB/SmolLM2-135M", "main", "abc", status, "/data/models/SmolLM2-135M",
        BytesDone: 3 * 1024 * 1024 / 2, BytesTotal: 3 * 1024 * 1024, BytesPerSecond: 512 * 1024, CurrentFile: "model.safetensors",
        FilesDone: 1, FileCount: 4, error, modelId, DateTime.UtcNow, null);

    [Fact]
    public void A_running_download_shows_its_share_bytes_rate_and_file_with_a_cancel_button()
    {
        var row = Render<HubDownloadRow>(p => p.Add(r => r.Download, Download(HubDownloadStatus.Downloading)));

        Assert.Equal("downloading 50%", row.Find(".download-status").TextContent.Trim());
        Assert.Equal("1.5 MiB of 3.0 MiB · 512 KiB/s · file 2 of 4: model.safetensors", row.Find(".download-bytes").TextContent.Trim());
        Assert.Equal("50", row.Find(".download-bar[role=progressbar]").GetAttribute("aria-valuenow"));
        Assert.Single(row.FindAll(".download-cancel"));
        Assert.Empty(row.FindAll(".download-resume"));
    }

    [Fact]
    public void A_failed_download_shows_its_error_with_resume_and_discard()
    {
        var row = Render<HubDownloadRow>(p => p.Add(r => r.Download, Download(HubDownloadStatus.Failed, "The connection was lost; resume to continue.")));

        Assert.Equal("The connection was lost; resume to continue.", row.Find(".download-error").TextContent.Trim());
        Assert.Equal("1.5 MiB of 3.0 MiB on disk in /data/models/SmolLM2-135M", row.Find(".download-bytes").TextContent.Trim());
        Assert.Equal((1, 1), (row.FindAll(".download-resume").Count, row.FindAll(".download-discard").Count));
        Assert.Empty(row.FindAll(".download-bar"));
    }

    [Fact]
    public void A_completed_download_says_which_model_it_registered()
    {
        var row = Render<HubDownloadRow>(p => p.Add(r => r.Download, Download(HubDownloadStatus.Completed, modelId: 12)));

        Assert.Equal("1.5 MiB in /data/models/SmolLM2-135M, registered as model 12", row.Find(".download-bytes").TextContent.Trim());
    }
}
