namespace LoraLab.Engine.Hub;

/// <summary>A branch, tag or commit of a repository, as the Hub's URLs take it; empty means <see cref="Default"/>.</summary>
public static class HubRevision
{
    public const string Default = "main";

    public static bool TryNormalize(string? text, out string revision, out string? error)
    {
        revision = string.IsNullOrWhiteSpace(text) ? Default : text.Trim();
        error = revision.Length > 255 ? $"The revision is {revision.Length} characters long; at most 255 are allowed."
            : revision.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? $"The revision '{revision}' contains a space or a control character."
            : null;
        return error is null;
    }
}
