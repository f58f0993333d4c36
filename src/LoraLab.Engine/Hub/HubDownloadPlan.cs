using LoraLab.Engine.Models;

namespace LoraLab.Engine.Hub;

/// <summary>
/// What a download will fetch, decided before any weight is: the files in order (small ones first), the commit they
/// are read at (so files of one download never mix two commits), and the model's config, already validated.
/// </summary>
public sealed record HubDownloadPlan(HubRepoId Repo, string Revision, string? Commit, ModelConfig Config, IReadOnlyList<HubFile> Files)
{
    /// <summary>The revision the files are read at: the commit when the Hub named one.</summary>
    public string PinnedRevision => Commit ?? Revision;

    /// <summary>The bytes of every file whose size the Hub listed.</summary>
    public long TotalBytes => Files.Sum(f => f.Size ?? 0);
}
