using System.IO.Compression;
using LoraLab.Engine.Checkpoints;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>An export and its Modelfile in one zip, for handing to someone else (unpack, then <c>ollama create</c>).</summary>
public static class ExportBundle
{
    /// <summary>
    /// Writes <paramref name="zipPath"/> atomically with <paramref name="files"/> at its top level. Entries are stored,
    /// not deflated: GGUF weights barely compress, and storing keeps a multi-gigabyte bundle quick.
    /// </summary>
    public static void Zip(string zipPath, IReadOnlyList<string> files) => AtomicFile.Write(zipPath, stream =>
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (string file in files) zip.CreateEntryFromFile(file, Path.GetFileName(file), CompressionLevel.NoCompression);
    });
}
