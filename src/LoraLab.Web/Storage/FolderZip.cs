using System.IO.Compression;

namespace LoraLab.Web.Storage;

/// <summary>A folder as a zip download, its files at the zip's root.</summary>
public static class FolderZip
{
    /// <summary>The zip is built in a temporary file that is deleted when the returned stream closes.</summary>
    public static async Task<Stream> OpenAsync(string folder, CancellationToken cancellation = default)
    {
        string zip = Path.Combine(Path.GetTempPath(), $"loralab-{Guid.NewGuid():N}.zip");
        try
        {
            // Safetensors weights barely compress: favour speed.
            await ZipFile.CreateFromDirectoryAsync(folder, zip, CompressionLevel.Fastest, includeBaseDirectory: false, cancellation);
        }
        catch
        {
            File.Delete(zip);
            throw;
        }
        return new FileStream(zip, FileMode.Open, FileAccess.Read, FileShare.Delete, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
    }
}
