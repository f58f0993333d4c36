using System.IO.Compression;

namespace LoraLab.Web.Storage;

/// <summary>
/// Unpacks an uploaded zip without trusting its entry names: an entry that is absolute or climbs out with ".." refuses
/// the whole zip, and the unpacked bytes are counted as they are written, so a zip bomb stops at the limit whatever
/// sizes its directory claims.
/// </summary>
public static class ZipExtraction
{
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
            if (archive.Entries.FirstOrDefault(e => Target(root, e.FullName) is null) is { } unsafeEntry)
                return Failure.InvalidField("file", $"'{displayName}' holds the entry '{unsafeEntry.FullName}', which points outside the folder it unpacks into; the zip is refused.");
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

    /// <summary>Where an entry unpacks under <paramref name="root"/>, or null when its name would leave it.</summary>
    static string? Target(string root, string entryName)
    {
        string relative = entryName.Replace('\\', '/');
        if (relative.Length == 0 || relative.StartsWith('/') || relative.Contains(':') || relative.Split('/').Any(segment => segment == "..")) return null;
        string full = Path.GetFullPath(Path.Combine(root, relative));
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }
}
