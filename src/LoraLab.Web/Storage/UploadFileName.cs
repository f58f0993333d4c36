using System.Text;

namespace LoraLab.Web.Storage;

/// <summary>
/// The file name a client sent with an upload, made safe to store and to show: its last path segment only, letters,
/// digits, '.', '-' and '_' only (anything else becomes '_'), no leading dot, at most <see cref="MaxLength"/>
/// characters with the extension kept. It never chooses a path on its own: a dataset's goes after its id, an adapter
/// zip's only names the adapter and its origin.
/// </summary>
public static class UploadFileName
{
    public const int MaxLength = 100;

    /// <param name="fallback">What a name with nothing usable before its extension is called ("dataset", "adapter").</param>
    public static string Sanitize(string clientName, string fallback)
    {
        // Some clients send the whole local path, with either separator, whatever the server's platform.
        string segment = clientName[(clientName.LastIndexOfAny(['/', '\\']) + 1)..];
        string extension = SafeCharacters(Path.GetExtension(segment));
        string stem = SafeCharacters(segment[..^Path.GetExtension(segment).Length]).Trim('.', '_');
        if (stem.Length == 0) stem = fallback;
        if (extension.Length > MaxLength / 2) extension = extension[..(MaxLength / 2)];
        if (stem.Length + extension.Length > MaxLength) stem = stem[..(MaxLength - extension.Length)];
        return stem + extension;
    }

    /// <summary>Letters, digits, '.' and '-' stay; every run of anything else becomes one '_'.</summary>
    static string SafeCharacters(string text)
    {
        var safe = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            char kept = char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_';
            if (kept == '_' && safe.Length > 0 && safe[^1] == '_') continue;
            safe.Append(kept);
        }
        return safe.ToString();
    }
}
