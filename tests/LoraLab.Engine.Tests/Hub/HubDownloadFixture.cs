using LoraLab.Engine.Hub;

namespace LoraLab.Engine.Tests.Hub;

/// <summary>A stand-in Hub serving one tiny model as "tiny/llama", a download folder, and a downloader pointed at them.</summary>
public abstract class HubDownloadFixture : IAsyncLifetime
{
    public const string RepoId = "tiny/llama";

    readonly string root = Directory.CreateTempSubdirectory("loralab-hub-").FullName;
    readonly List<HubClient> clients = [];

    protected HubStandIn Hub { get; private set; } = null!;
    protected StandInRepo Repo { get; private set; } = null!;
    protected string Source => Path.Combine(root, "source");
    protected string Target => Path.Combine(root, "downloaded");
    protected static HubRepoId Id => HubRepoId.Parse(RepoId);

    public virtual async Task InitializeAsync()
    {
        Hub = await HubStandIn.StartAsync();
        HubTestModel.Write(Source);
        Repo = Hub.AddRepo(RepoId).AddFolder(Source);
        Repo.Add("README.md", "# tiny llama");
        Repo.Add("pytorch_model.bin", new byte[1000], lfs: true);
    }

    protected HubModelDownloader Downloader(string? token = null, TimeSpan? stallTimeout = null)
    {
        var client = new HubClient(new HubSettings(Hub.Endpoint, token), stallTimeout: stallTimeout);
        clients.Add(client);
        return new HubModelDownloader(client);
    }

    protected async Task<HubDownloadPlan> PlanAsync(string repo = RepoId, string revision = "main", string? token = null) =>
        await Downloader(token).PlanAsync(HubRepoId.Parse(repo), revision);

    protected string Downloaded(string file) => Path.Combine(Target, file);

    protected byte[] Original(string file) => File.ReadAllBytes(Path.Combine(Source, file));

    public async Task DisposeAsync()
    {
        foreach (var client in clients) client.Dispose();
        await Hub.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }
}

/// <summary>Collects every report, on the reporting thread (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
sealed class RecordedProgress : IProgress<HubDownloadProgress>
{
    readonly List<HubDownloadProgress> reports = [];

    public Action<HubDownloadProgress>? OnReport { get; init; }

    public IReadOnlyList<HubDownloadProgress> Reports
    {
        get { lock (reports) return reports.ToList(); }
    }

    public void Report(HubDownloadProgress value)
    {
        lock (reports) reports.Add(value);
        OnReport?.Invoke(value);
    }
}
