namespace LoraLab.Web.Storage;

static class DataFiles
{
    /// <summary>Deletes a file or a folder with its contents; nothing there is not an error.</summary>
    public static void Delete(string path)
    {
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        else if (File.Exists(path)) File.Delete(path);
    }

    /// <summary>
    /// Copies <paramref name="content"/> to a new file, but at most <paramref name="limit"/> + 1 bytes: enough to know the
    /// content is too large without storing it all. Returns the bytes copied.
    /// </summary>
    public static async Task<long> CopyWithLimitAsync(Stream content, string path, long limit, CancellationToken cancellation)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellation)) > 0)
        {
            total += read;
            if (total > limit) return total;
            await file.WriteAsync(buffer.AsMemory(0, read), cancellation);
        }
        return total;
    }

    /// <summary>The bytes of every file under <paramref name="folder"/>.</summary>
    public static long FolderSize(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
}
