using System.Text.Json;
using System.Text.Json.Serialization;

namespace LoraLab.Engine.Hub;

/// <summary>
/// The note a download leaves in its folder until it completes: which repository, revision and commit the folder's
/// files and *.incomplete parts belong to. Starting again resumes them when the commit is the same, and starts afresh
/// when the revision has moved on, so one folder never mixes two commits.
/// </summary>
public sealed record HubDownloadMarker(
    [property: JsonPropertyName("repo_id")] string RepoId,
    [property: JsonPropertyName("revision")] string Revision,
    [property: JsonPropertyName("commit")] string? Commit)
{
    public const string FileName = ".loralab-download.json";

    /// <summary>The marker of <paramref name="folder"/>; null when there is none or it cannot be read.</summary>
    public static HubDownloadMarker? Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        try
        {
            return File.Exists(path) && JsonSerializer.Deserialize<HubDownloadMarker>(File.ReadAllText(path)) is { RepoId: not null, Revision: not null } marker ? marker : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    internal void Write(string folder) => File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this));

    internal static void Delete(string folder) => File.Delete(Path.Combine(folder, FileName));
}
