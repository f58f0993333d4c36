using System.Text.Json;

namespace LoraLab.Engine.Hub;

/// <summary>One file of a repository: its path, its size and, for files stored with Git LFS, the sha256 of its content.</summary>
public sealed record HubFile(string Path, long? Size, string? Sha256);

/// <summary>
/// What <c>GET {endpoint}/api/models/{repo}/revision/{revision}?blobs=true</c> says about a repository: the commit the
/// revision points to, whether it is gated, and its files ("siblings", each with "rfilename", "size" and, for LFS files,
/// "lfs": {"sha256", "size"}).
/// </summary>
public sealed record HubRepoListing(HubRepoId Repo, string Revision, string? Commit, bool Gated, IReadOnlyList<HubFile> Files)
{
    public HubFile? Find(string path) => Files.FirstOrDefault(f => f.Path == path);

    /// <exception cref="HubDownloadException">The answer is not the JSON the Hub sends; the message quotes where it differs.</exception>
    public static HubRepoListing Parse(HubRepoId repo, string revision, string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("siblings", out var siblings) || siblings.ValueKind != JsonValueKind.Array)
                throw Malformed(source, "it has no \"siblings\" list of files");
            string? commit = root.TryGetProperty("sha", out var sha) && sha.ValueKind == JsonValueKind.String ? sha.GetString() : null;
            // "gated" is false, or the kind of gate: "auto" or "manual".
            bool gated = root.TryGetProperty("gated", out var gate) && gate.ValueKind is JsonValueKind.String or JsonValueKind.True;
            var files = siblings.EnumerateArray().Select(sibling => ReadFile(sibling, source)).ToList();
            return new HubRepoListing(repo, revision, commit, gated, files);
        }
        catch (JsonException e)
        {
            throw Malformed(source, $"it is not valid JSON ({e.Message})");
        }
    }

    static HubFile ReadFile(JsonElement sibling, string source)
    {
        if (sibling.ValueKind != JsonValueKind.Object || !sibling.TryGetProperty("rfilename", out var name) || name.ValueKind != JsonValueKind.String)
            throw Malformed(source, $"the sibling {sibling.GetRawText()} has no \"rfilename\"");
        long? size = sibling.TryGetProperty("size", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : null;
        string? sha256 = null;
        if (sibling.TryGetProperty("lfs", out var lfs) && lfs.ValueKind == JsonValueKind.Object)
        {
            if (lfs.TryGetProperty("sha256", out var hash) && hash.ValueKind == JsonValueKind.String) sha256 = hash.GetString()!.ToLowerInvariant();
            if (lfs.TryGetProperty("size", out var lfsSize) && lfsSize.ValueKind == JsonValueKind.Number) size = lfsSize.GetInt64();
        }
        return new HubFile(name.GetString()!, size, sha256);
    }

    static HubDownloadException Malformed(string source, string what) =>
        new(HubFailure.ConnectionLost, $"The answer of {source} is not a Hub repository listing: {what}.");
}
