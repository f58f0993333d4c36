using System.Text.Json;
using LoraLab.Engine.Tests.Hub;

namespace LoraLab.Cli.Tests;

public sealed class DownloadCommandTests : IClassFixture<TinyModelFolder>, IAsyncLifetime
{
    readonly TinyModelFolder model;
    readonly string output = Path.Combine(Directory.CreateTempSubdirectory("loralab-cli-download-").FullName, "model");
    HubStandIn hub = null!;
    StandInRepo repo = null!;

    public DownloadCommandTests(TinyModelFolder model) => this.model = model;

    public async Task InitializeAsync()
    {
        hub = await HubStandIn.StartAsync();
        repo = hub.AddRepo("tiny/llama").AddFolder(model.Directory);
    }

    public async Task DisposeAsync()
    {
        await hub.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);
    }

    [Fact]
    public void Download_writes_the_model_folder_and_prints_its_path()
    {
        var run = LoralabProcess.Run("download", "tiny/llama", "--out", output, "--endpoint", hub.Endpoint.AbsoluteUri);

        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Equal(output, run.StdOut.Trim());
        foreach (string file in Directory.GetFiles(model.Directory))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(output, Path.GetFileName(file))));
    }

    [Fact]
    public void A_download_cut_short_fails_with_one_sentence_and_the_next_run_resumes_it()
    {
        var weights = repo.Files["model.safetensors"];
        weights.FailAfter(weights.Content.Length / 2);

        var cut = LoralabProcess.Run("download", "tiny/llama", "--out", output, "--endpoint", hub.Endpoint.AbsoluteUri);
        var resumed = LoralabProcess.Run("download", "tiny/llama", "--out", output, "--endpoint", hub.Endpoint.AbsoluteUri, "--json");

        Assert.Equal(1, cut.ExitCode);
        Assert.Equal("error: The download of 'model.safetensors' from 127.0.0.1 stopped (the connection closed before the answer was complete); resume to continue.",
            cut.StdErr.Trim().Split('\n')[^1]);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Equal($"bytes={weights.Content.Length / 2}-", hub.RangesOf("model.safetensors")[^1]);
        Assert.Equal(weights.Content, File.ReadAllBytes(Path.Combine(output, "model.safetensors")));
        var json = JsonDocument.Parse(resumed.StdOut).RootElement;
        Assert.Equal(("tiny/llama", output), (json.GetProperty("repo_id").GetString(), json.GetProperty("folder").GetString()));
    }

    [Fact]
    public void An_unknown_repository_exits_1_naming_it()
    {
        var run = LoralabProcess.Run("download", "tiny/missing", "--out", output, "--endpoint", hub.Endpoint.AbsoluteUri);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"error: There is no model repository 'tiny/missing' on {hub.Endpoint.AbsoluteUri.TrimEnd('/')}", run.StdErr);
        Assert.False(Directory.Exists(output));
    }
}
