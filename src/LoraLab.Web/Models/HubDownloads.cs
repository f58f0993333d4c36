using System.Threading.Channels;
using LoraLab.Engine.Hub;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Models;

/// <summary>
/// The studio's downloads from the Hugging Face Hub, kept for as long as the app runs and independent of any page.
/// <see cref="StartAsync"/> checks the request against the Hub at once (unknown repository, gated, no safetensors,
/// unsupported architecture, disk space) and queues it; <see cref="HubDownloadWorker"/> fetches the files into
/// {DataPath}/downloads/{name}/, then moves the folder to {DataPath}/models/{name}/ and registers it. A download that
/// fails, is cancelled or is cut short by a restart keeps its parts there, and starting it again resumes them: at
/// start-up, such folders are listed as interrupted. Everyone sees the downloads; only admins start, resume, cancel
/// or discard them, as base models are the team's, and every start is audited.
/// </summary>
public sealed class HubDownloads : IDisposable
{
    readonly ModelRegistry _registry;
    readonly DataFolder _data;
    readonly AuditLog _audit;
    readonly TimeProvider _clock;
    readonly ILogger<HubDownloads> _logger;
    readonly HubClient? _client;
    readonly HubModelDownloader? _downloader;
    readonly string? _settingsError;
    readonly Lock _lock = new();
    readonly List<Download> _downloads = [];
    readonly Channel<Download> _queue = Channel.CreateUnbounded<Download>(new UnboundedChannelOptions { SingleReader = true });
    int _lastId;

    public HubDownloads(IOptions<LoraLabOptions> options, ModelRegistry registry, DataFolder data, AuditLog audit, TimeProvider clock, ILogger<HubDownloads> logger)
    {
        (_registry, _data, _audit, _clock, _logger) = (registry, data, audit, clock, logger);
        try
        {
            _client = new HubClient(HubSettings.Resolve(options.Value.HubEndpoint, options.Value.HubToken));
            _downloader = new HubModelDownloader(_client, clock);
        }
        catch (HubDownloadException e)
        {
            _settingsError = $"{e.Message.TrimEnd('.')}: set LoraLab:HubEndpoint (or HF_ENDPOINT) to the Hub's address.";
        }
        foreach (var interrupted in FindInterrupted()) _downloads.Add(interrupted);
    }

    /// <summary>Raised after any download changes: queued, progressed (a few times a second), finished. Handlers must be quick.</summary>
    public event Action? Changed;

    /// <summary>Where downloads come from, as people write it.</summary>
    public string Endpoint => _client?.Settings.EndpointText ?? "(not configured)";

    internal ChannelReader<Download> Queue => _queue.Reader;

    public IReadOnlyList<HubDownloadSummary> List()
    {
        lock (_lock) return _downloads.Select(d => d.Summary()).OrderByDescending(d => d.Id).ToList();
    }

    public HubDownloadSummary? Find(int id)
    {
        lock (_lock) return _downloads.FirstOrDefault(d => d.Id == id)?.Summary();
    }

    /// <summary>Checks the request with the Hub and queues it; errors name the field ("repoId", "revision") they concern.</summary>
    public async Task<Result<HubDownloadSummary>> StartAsync(string? repoId, string? revision, Caller caller, CancellationToken cancellation = default)
    {
        if (!caller.IsAdmin) return AdminsOnly;
        if (!HubRepoId.TryParse(repoId, out var repo, out string? repoError)) return Failure.InvalidField("repoId", repoError!);
        if (!HubRevision.TryNormalize(revision, out string rev, out string? revisionError)) return Failure.InvalidField("revision", revisionError!);
        if (_downloader is null) return new Failure(FailureKind.Invalid, "The Hub endpoint is not usable", _settingsError!);
        string name = FolderName(repo!, rev);
        if (Conflict(name) is { } conflict) return conflict;

        HubDownloadPlan plan;
        try
        {
            plan = await _downloader.PlanAsync(repo!, rev, cancellation);
            _downloader.CheckFreeSpace(plan, Path.Combine(_data.Downloads, name));
        }
        catch (HubDownloadException e)
        {
            return e.ToFailure();
        }

        Download download;
        lock (_lock)
        {
            // Checked again: another request for the same folder may have been planned meanwhile.
            if (Conflict(name) is { } late) return late;
            _downloads.RemoveAll(d => d.Name == name);
            download = new Download(++_lastId, repo!.ToString(), rev, name, Path.Combine(_data.Models, name), _clock.GetUtcNow().UtcDateTime) { Plan = plan };
            download.Progress = new HubDownloadProgress("", 0, null, BytesOnDisk(name), plan.TotalBytes, 0, plan.Files.Count, 0);
            _downloads.Add(download);
        }
        _queue.Writer.TryWrite(download);
        await _audit.RecordAsync(caller, AuditAction.ModelDownloadStarted, $"download {download.Id} of '{download.RepoId}' at {rev}", CancellationToken.None);
        _logger.LogInformation("Download {Id} of {Repo}@{Revision} ({Bytes} bytes) is queued.", download.Id, download.RepoId, rev, plan.TotalBytes);
        OnChanged();
        return download.Summary();
    }

    /// <summary>Starts a failed, cancelled or interrupted download again; the files it already has are kept.</summary>
    public async Task<Result<HubDownloadSummary>> ResumeAsync(int id, Caller caller, CancellationToken cancellation = default)
    {
        if (!caller.IsAdmin) return AdminsOnly;
        Download? download;
        lock (_lock) download = _downloads.FirstOrDefault(d => d.Id == id);
        if (download is null) return Failure.NotFound("Download", id);
        if (download.Status is HubDownloadStatus.Completed) return Failure.Conflict("The download is complete", $"Download {id} of '{download.RepoId}' has completed; there is nothing to resume.");
        return await StartAsync(download.RepoId, download.Revision, caller, cancellation);
    }

    /// <summary>Stops a queued or running download; what arrived stays on disk for a later resume.</summary>
    public Result<HubDownloadSummary> Cancel(int id, Caller caller)
    {
        if (!caller.IsAdmin) return AdminsOnly;
        Download? download;
        CancellationTokenSource? running;
        lock (_lock)
        {
            download = _downloads.FirstOrDefault(d => d.Id == id);
            if (download is null) return Failure.NotFound("Download", id);
            if (!download.Summary().IsActive)
                return Failure.Conflict("The download is not running", $"Download {id} of '{download.RepoId}' is {download.Status.ToString().ToLowerInvariant()}.");
            download.CancelRequested = true;
            if (download.Status == HubDownloadStatus.Queued) Finish(download, HubDownloadStatus.Cancelled, null);
            running = download.Cancellation;
        }
        try
        {
            running?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The download ended between the check and the cancellation: nothing is left to stop.
        }
        OnChanged();
        return download.Summary();
    }

    /// <summary>Forgets a download that is not running and deletes the parts it left in {DataPath}/downloads.</summary>
    public Result<HubDownloadSummary> Discard(int id, Caller caller)
    {
        if (!caller.IsAdmin) return AdminsOnly;
        Download? download;
        lock (_lock)
        {
            download = _downloads.FirstOrDefault(d => d.Id == id);
            if (download is null) return Failure.NotFound("Download", id);
            if (download.Summary().IsActive)
                return Failure.Conflict("The download is running", $"Download {id} of '{download.RepoId}' is {download.Status.ToString().ToLowerInvariant()}; cancel it first.");
            _downloads.Remove(download);
        }
        if (download.Status != HubDownloadStatus.Completed) DataFiles.Delete(Path.Combine(_data.Downloads, download.Name));
        OnChanged();
        return download.Summary();
    }

    /// <summary>Runs one queued download to its end; called by the worker, which stops it with <paramref name="stopping"/> on shutdown.</summary>
    internal async Task RunAsync(Download download, CancellationToken stopping)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        lock (_lock)
        {
            if (download.CancelRequested) return;
            download.Status = HubDownloadStatus.Downloading;
            download.Cancellation = cancellation;
        }
        OnChanged();
        string staging = Path.Combine(_data.Downloads, download.Name);
        try
        {
            var progress = new Reporter(p =>
            {
                lock (_lock) download.Progress = p;
                OnChanged();
            });
            await _downloader!.DownloadAsync(download.Plan!, staging, progress, cancellation.Token);
            var registered = await MoveAndRegisterAsync(download, staging);
            lock (_lock)
            {
                download.ModelId = registered.Id;
                Finish(download, HubDownloadStatus.Completed, null);
            }
            _logger.LogInformation("Download {Id} of {Repo} completed; model {ModelId} is registered from {Folder}.", download.Id, download.RepoId, registered.Id, download.Target);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            bool shutdown = stopping.IsCancellationRequested && !download.CancelRequested;
            lock (_lock) Finish(download, shutdown ? HubDownloadStatus.Interrupted : HubDownloadStatus.Cancelled,
                shutdown ? "The studio shut down during this download; resume to continue." : null);
        }
        catch (HubDownloadException e)
        {
            lock (_lock) Finish(download, HubDownloadStatus.Failed, e.Message);
            _logger.LogWarning("Download {Id} of {Repo} failed: {Reason}", download.Id, download.RepoId, e.Message);
        }
        catch (Exception e)
        {
            lock (_lock) Finish(download, HubDownloadStatus.Failed, e.Message);
            _logger.LogError(e, "Download {Id} of {Repo} failed.", download.Id, download.RepoId);
        }
        finally
        {
            lock (_lock) download.Cancellation = null;
            OnChanged();
        }
    }

    async Task<RegisteredModel> MoveAndRegisterAsync(Download download, string staging)
    {
        if (Directory.Exists(download.Target))
            throw new HubDownloadException(HubFailure.InvalidRequest, $"{download.Target} appeared while the model was downloading; the download is kept in {staging}.");
        Directory.CreateDirectory(_data.Models);
        Directory.Move(staging, download.Target);
        var registered = await _registry.RegisterDownloadAsync(download.Target);
        return registered.Value ?? throw new HubDownloadException(HubFailure.NotSupported, registered.Failure!.Detail);
    }

    void Finish(Download download, HubDownloadStatus status, string? error)
    {
        (download.Status, download.Error, download.FinishedAt) = (status, error, _clock.GetUtcNow().UtcDateTime);
    }

    /// <summary>A download of the same folder under way, or a model already in that folder.</summary>
    Failure? Conflict(string name)
    {
        lock (_lock)
        {
            if (_downloads.FirstOrDefault(d => d.Name == name && d.Summary().IsActive) is { } running)
                return Failure.Conflict("The model is already downloading", $"Download {running.Id} of '{running.RepoId}' into {running.Target} is {running.Status.ToString().ToLowerInvariant()}.");
        }
        string target = Path.Combine(_data.Models, name);
        return Directory.Exists(target)
            ? Failure.Conflict("The model folder exists", $"{target} already exists; delete that model first to download it again.")
            : null;
    }

    static readonly Failure AdminsOnly = Failure.Forbidden("Admins only", "Only admins download models from the Hub, as base models are the team's.");

    /// <summary>The folder a repository downloads into: its name, with the revision when it is not main ("SmolLM2-135M@v1.0").</summary>
    public static string FolderName(HubRepoId repo, string revision) =>
        revision == HubRevision.Default ? repo.Name : $"{repo.Name}@{new string(revision.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-').ToArray())}";

    long BytesOnDisk(string name)
    {
        string folder = Path.Combine(_data.Downloads, name);
        return Directory.Exists(folder) ? DataFiles.FolderSize(folder) : 0;
    }

    /// <summary>Folders of {DataPath}/downloads that a download left with its marker: a previous run of the studio stopped them.</summary>
    IEnumerable<Download> FindInterrupted()
    {
        if (!Directory.Exists(_data.Downloads)) yield break;
        foreach (string folder in Directory.EnumerateDirectories(_data.Downloads).Order(StringComparer.Ordinal))
        {
            if (HubDownloadMarker.Read(folder) is not { } marker) continue;
            string name = Path.GetFileName(folder);
            var started = Directory.GetLastWriteTimeUtc(folder);
            yield return new Download(++_lastId, marker.RepoId, marker.Revision, name, Path.Combine(_data.Models, name), started)
            {
                Status = HubDownloadStatus.Interrupted,
                Error = "The studio stopped during this download; resume to continue.",
                Progress = new HubDownloadProgress("", 0, null, BytesOnDisk(name), 0, 0, 0, 0),
            };
        }
    }

    void OnChanged()
    {
        try
        {
            Changed?.Invoke();
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "A listener of download changes failed.");
        }
    }

    public void Dispose() => _client?.Dispose();

    /// <summary>Progress straight from the downloading thread; <see cref="Progress{T}"/> would post it to the thread pool out of order.</summary>
    sealed class Reporter(Action<HubDownloadProgress> report) : IProgress<HubDownloadProgress>
    {
        public void Report(HubDownloadProgress value) => report(value);
    }

    /// <summary>One download's mutable state, guarded by the owner's lock.</summary>
    internal sealed class Download(int id, string repoId, string revision, string name, string target, DateTime startedAt)
    {
        public int Id => id;
        public string RepoId => repoId;
        public string Revision => revision;
        public string Name => name;
        public string Target => target;
        public HubDownloadStatus Status { get; set; } = HubDownloadStatus.Queued;
        public HubDownloadPlan? Plan { get; set; }
        public HubDownloadProgress? Progress { get; set; }
        public string? Error { get; set; }
        public int? ModelId { get; set; }
        public DateTime? FinishedAt { get; set; }
        public bool CancelRequested { get; set; }
        public CancellationTokenSource? Cancellation { get; set; }

        public HubDownloadSummary Summary()
        {
            var p = Progress;
            return new HubDownloadSummary(Id, RepoId, Revision, Plan?.Commit, Status, Target,
                p?.BytesDone ?? 0, p?.BytesTotal ?? 0, Status == HubDownloadStatus.Downloading ? p?.BytesPerSecond ?? 0 : 0,
                Status == HubDownloadStatus.Downloading && p?.File is { Length: > 0 } file ? file : null,
                p?.FilesDone ?? 0, p?.FileCount ?? 0, Error, ModelId, startedAt, FinishedAt);
        }
    }
}
