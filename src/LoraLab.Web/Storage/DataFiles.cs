namespace LoraLab.Web.Storage;

static class DataFiles
{
    /// <summary>Deletes a file or a folder with its contents; nothing there is not an error.</summary>
    public static void Delete(string path)
    {
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        else if (File.Exists(path)) File.Delete(path);
    }

    /// <summary>The bytes of every file under <paramref name="folder"/>.</summary>
    public static long FolderSize(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
}
