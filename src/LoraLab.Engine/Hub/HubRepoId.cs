namespace LoraLab.Engine.Hub;

/// <summary>
/// A Hugging Face model repository id: <c>name</c> or <c>owner/name</c>, each part of letters, digits, '-', '_' and '.',
/// neither starting nor ending with '-' or '.', without "--" or "..", at most 96 characters (the Hub's own rules).
/// </summary>
public sealed record HubRepoId
{
    public const int MaxLength = 96;

    HubRepoId(string? owner, string name) => (Owner, Name) = (owner, name);

    public string? Owner { get; }
    public string Name { get; }

    public override string ToString() => Owner is null ? Name : $"{Owner}/{Name}";

    /// <summary>The id, or why <paramref name="text"/> is not one (a sentence naming the offending value).</summary>
    public static bool TryParse(string? text, out HubRepoId? repo, out string? error)
    {
        (repo, error) = (null, null);
        string id = text?.Trim() ?? "";
        if (id.Length == 0) error = "Give a repository id such as HuggingFaceTB/SmolLM2-135M-Instruct.";
        else if (id.Length > MaxLength) error = $"'{id}' is {id.Length} characters long; a repository id has at most {MaxLength}.";
        else if (id.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || id.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            error = $"'{id}' is an address; give only the repository id after the host, such as HuggingFaceTB/SmolLM2-135M-Instruct.";
        else
        {
            string[] parts = id.Split('/');
            if (parts.Length > 2) error = $"'{id}' has more than one '/'; a repository id is owner/name.";
            else if (parts.Select(PartError).FirstOrDefault(e => e is not null) is { } partError) error = $"'{id}' is not a repository id: {partError}";
            else repo = parts.Length == 2 ? new HubRepoId(parts[0], parts[1]) : new HubRepoId(null, parts[0]);
        }
        return repo is not null;
    }

    public static HubRepoId Parse(string text) =>
        TryParse(text, out var repo, out string? error) ? repo! : throw new HubDownloadException(HubFailure.InvalidRequest, error!);

    static string? PartError(string part)
    {
        if (part.Length == 0) return "a part is empty.";
        if (part.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) is var bad and not '\0')
            return $"'{bad}' is not allowed (only letters, digits, '-', '_' and '.').";
        if (part[0] is '-' or '.' || part[^1] is '-' or '.') return $"'{part}' starts or ends with '-' or '.'.";
        if (part.Contains("--", StringComparison.Ordinal) || part.Contains("..", StringComparison.Ordinal)) return $"'{part}' contains '--' or '..'.";
        return null;
    }
}
