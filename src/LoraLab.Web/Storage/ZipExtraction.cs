using System.IO.Compression;

namespace LoraLab.Web.Storage;

/// <summary>
/// Unpacks an uploaded zip without trusting its entry names: an entry that is absolute, climbs out with "..", has
/// control characters in its name or comes twice refuses the whole zip, as do more than <see cref="MaxEntries"/>
/// entries; the unpacked bytes are counted as they are written, so a zip bomb stops at the limit whatever sizes its
/// directory claims.
/// </summary>
public static class ZipExtraction
{
    /// <summary>An adapter folder holds a handful of files; each entry would be a file on disk, so thousands are refused.</summary>
    public const int MaxEntries = 1000;

    public static async Task<Result<string>> ExtractAsync(string zipPath, string displayName, string destination, long maxBytes, CancellationToken cancellation = default)
    {
        string root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        ZipArchive archive;
        try
        {
            archive = await ZipFile.OpenReadAsync(zipPath, cancellation);
        }
        catch (InvalidDataException)
        {
            return Failure.InvalidField("file", $"'{displayName}' is not a zip file.");
        }
        await using (archive)
        {
            if (Refusal(archive.Entries, root, displayName) is { } refused) return refused;
            long written = 0;
            Directory.CreateDirectory(root);
            foreach (var entry in archive.Entries)
            {
                string target = Target(root, entry.FullName)!;
                if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\'))
                {
                    Directory.CreateDirectory(target);
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                try
                {
                    await using var source = await entry.OpenAsync(cancellation);
                    await using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
                    var buffer = new byte[81920];
                    int read;
                    while ((read = await source.ReadAsync(buffer, cancellation)) > 0)
                    {
                        written += read;
                        if (written > maxBytes)
                            return new Failure(FailureKind.TooLarge, "The zip is too large", $"'{displayName}' unpacks to more than {maxBytes:N0} bytes (setting LoraLab:MaxAdapterUploadBytes).");
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellation);
                    }
                }
                catch (IOException e)
                {
                    return Failure.InvalidField("file", $"'{displayName}' could not be unpacked at entry '{entry.FullName}': {e.Message}");
                }
                catch (InvalidDataException e)
                {
                    return Failure.InvalidField("file", $"'{displayName}' is damaged at entry '{entry.FullName}': {e.Message}");
                }
            }
        }
        return root;
    }

    /// <summary>Why the entries, taken together, are not unpacked; null when every one has a safe name of its own.</summary>
    static Failure? Refusal(IReadOnlyCollection<ZipArchiveEntry> entries, string root, string displayName)
    {
        if (entries.Count > MaxEntries)
            return Failure.InvalidField("file", $"'{displayName}' holds {entries.Count:N0} entries, more than the {MaxEntries:N0} an adapter zip may have; the zip is refused.");
        if (entries.FirstOrDefault(e => e.FullName.Any(char.IsControl)) is { } unprintable)
            return Failure.InvalidField("file", $"'{displayName}' holds the entry '{Printable(unprintable.FullName)}', whose name has control characters; the zip is refused.");
        if (entries.FirstOrDefault(e => Target(root, e.FullName) is null) is { } unsafeEntry)
            return Failure.InvalidField("file", $"'{displayName}' holds the entry '{unsafeEntry.FullName}', which points outside the folder it unpacks into; the zip is refused.");
        if (entries.GroupBy(e => Target(root, e.FullName)!.TrimEnd(Path.DirectorySeparatorChar), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            return Failure.InvalidField("file", $"'{displayName}' holds the entry '{twice.First().FullName}' more than once; the zip is refused.");
        return null;
    }

    static string Printable(string name) => string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    /// <summary>Where an entry unpacks under <paramref name="root"/>, or null when its name would leave it.</summary>
    static string? Target(string root, string entryName)
    {
        string relative = entryName.Replace('\\', '/');
        if (relative.Length == 0 || relative.StartsWith('/') || relative.Contains(':') || relative.Split('/').Any(segment => segment == "..")) return null;
        string full = Path.GetFullPath(Path.Combine(root, relative));
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }
}
