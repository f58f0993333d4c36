namespace LoraLab.Web.Models;

public enum HubDownloadStatus { Queued, Downloading, Completed, Failed, Cancelled, Interrupted }

/// <summary>
/// A download from the Hub as the page and the API show it. <see cref="Folder"/> is where the model goes once complete;
/// <see cref="ModelId"/> is the registered model's id then. Byte counts cover the files whose size the Hub listed.
/// </summary>
public sealed record HubDownloadSummary(
    int Id, string RepoId, string Revision, string? Commit, HubDownloadStatus Status, string Folder,
    long BytesDone, long BytesTotal, double BytesPerSecond, string? CurrentFile, int FilesDone, int FileCount,
    string? Error, int? ModelId, DateTime StartedAt, DateTime? FinishedAt)
{
    public bool IsActive => Status is HubDownloadStatus.Queued or HubDownloadStatus.Downloading;

    /// <summary>BytesDone over BytesTotal in [0, 1]; null while the total is unknown.</summary>
    public double? Fraction => BytesTotal > 0 ? Math.Clamp((double)BytesDone / BytesTotal, 0, 1) : null;
}

/// <summary>The body of POST /api/models/downloads: a repository id and, optionally, a branch, tag or commit (default main).</summary>
public sealed record HubDownloadRequest(string? RepoId, string? Revision = null);
