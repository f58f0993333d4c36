using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Models;

namespace LoraLab.Engine.Hub;

/// <summary>
/// Downloads a model from the Hub into a folder the engine loads. <see cref="PlanAsync"/> decides what to fetch and
/// refuses early (unknown repository, gated without a token, no safetensors or tokenizer, an unsupported architecture)
/// before any weight moves; <see cref="DownloadAsync"/> fetches the files, resuming whatever an earlier attempt left.
/// </summary>
public sealed class HubModelDownloader(HubClient client, TimeProvider? clock = null)
{
    const long MaxConfigBytes = 1 << 20, MaxIndexBytes = 64L << 20;

    readonly TimeProvider time = clock ?? TimeProvider.System;

    /// <summary>Free bytes where a folder lives; replaceable so a test can pretend the disk is small.</summary>
    public Func<string, long?> FreeSpace { get; init; } = DiskSpace.AvailableBytes;

    public async Task<HubDownloadPlan> PlanAsync(HubRepoId repo, string revision, CancellationToken cancellation = default)
    {
        var listing = await client.ListAsync(repo, revision, cancellation);
        var (files, index) = ModelFileSelection.Choose(listing);
        if (listing.Gated && client.Settings.Token is null)
            throw new HubDownloadException(HubFailure.GatedRepository,
                $"'{repo}' is a gated repository: accept its terms on {client.Settings.EndpointText}/{repo}, then give an access token (HF_TOKEN).");
        string pinned = listing.Commit ?? revision;
        var config = ParseConfig(repo, await client.ReadSmallFileAsync(repo, pinned, ModelFileSelection.ConfigFile, MaxConfigBytes, cancellation));
        if (index is not null)
            files = [.. files, .. ModelFileSelection.Shards(listing, await client.ReadSmallFileAsync(repo, pinned, index.Path, MaxIndexBytes, cancellation))];
        return new HubDownloadPlan(repo, revision, listing.Commit, config, files);
    }

    /// <summary>
    /// Fetches the plan's files into <paramref name="folder"/> and checks that the folder opens as a model. Files already
    /// there with the listed size are kept; *.incomplete parts are resumed. Cancelling keeps what arrived, to resume later.
    /// </summary>
    public async Task DownloadAsync(HubDownloadPlan plan, string folder, IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(folder);
        var previous = HubDownloadMarker.Read(folder);
        if (previous is not null && (previous.RepoId != plan.Repo.ToString() || previous.Commit != plan.Commit)) DiscardFiles(plan, folder);
        new HubDownloadMarker(plan.Repo.ToString(), plan.Revision, plan.Commit).Write(folder);
        CheckFreeSpace(plan, folder);

        var meter = new DownloadMeter(progress, time, plan.TotalBytes, plan.Files.Count);
        foreach (var file in plan.Files)
        {
            cancellation.ThrowIfCancellationRequested();
            if (IsComplete(file, folder))
            {
                meter.StartFile(file, file.Size ?? 0);
                meter.FinishFile();
                continue;
            }
            await new ResumableFileDownload(client, plan, file, folder, meter).RunAsync(cancellation);
        }
        ModelFolderCheck.Verify(folder);
        HubDownloadMarker.Delete(folder);
    }

    /// <summary>The bytes still to fetch into <paramref name="folder"/>: what is neither complete nor in an .incomplete part.</summary>
    public static long BytesMissing(HubDownloadPlan plan, string folder) =>
        plan.Files.Where(f => !IsComplete(f, folder)).Sum(f => Math.Max(0, (f.Size ?? 0) - PartLength(f, folder)));

    /// <summary>Refuses a download the disk cannot hold, before it starts, naming both amounts.</summary>
    public void CheckFreeSpace(HubDownloadPlan plan, string folder)
    {
        long missing = BytesMissing(plan, folder);
        if (FreeSpace(folder) is { } free && free < missing)
            throw new HubDownloadException(HubFailure.DiskFull,
                $"'{plan.Repo}' needs {ByteCount.Format(missing)} more but only {ByteCount.Format(free)} are free where {folder} is; free some space, then resume to continue.");
    }

    static bool IsComplete(HubFile file, string folder)
    {
        var info = new FileInfo(Path.Combine(folder, file.Path));
        return info.Exists && (file.Size is null || info.Length == file.Size);
    }

    static long PartLength(HubFile file, string folder)
    {
        var part = new FileInfo(Path.Combine(folder, file.Path + ResumableFileDownload.PartialSuffix));
        return part.Exists ? part.Length : 0;
    }

    /// <summary>Files of another commit (or repository) must not be completed with this one's bytes.</summary>
    static void DiscardFiles(HubDownloadPlan plan, string folder)
    {
        foreach (var file in plan.Files)
        {
            File.Delete(Path.Combine(folder, file.Path));
            File.Delete(Path.Combine(folder, file.Path + ResumableFileDownload.PartialSuffix));
        }
    }

    static ModelConfig ParseConfig(HubRepoId repo, byte[] json)
    {
        string source = $"config.json of '{repo}'";
        try
        {
            return JsonNode.Parse(json) is JsonObject config
                ? ModelConfig.Parse(config, source)
                : throw new HubDownloadException(HubFailure.NotSupported, $"{source} is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new HubDownloadException(HubFailure.NotSupported, $"{source} is not valid JSON ({e.Message}).");
        }
        catch (ModelConfigException e)
        {
            throw new HubDownloadException(HubFailure.NotSupported, e.Message, e);
        }
    }
}
