using LoraLab.Web.Storage;
using LoraLab.Web.Tests.Adapters;

namespace LoraLab.Web.Tests.Storage;

public sealed class ZipExtractionTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("loralab-zip-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Zip(params (string Name, byte[] Content)[] entries)
    {
        string path = Path.Combine(_dir, "upload.zip");
        File.WriteAllBytes(path, TestAdapters.ZipOf(entries));
        return path;
    }

    [Fact]
    public async Task Files_in_folders_unpack_below_the_destination()
    {
        var unpacked = await ZipExtraction.ExtractAsync(Zip(("a/b/c.txt", "c"u8.ToArray()), ("top.txt", "t"u8.ToArray())), "x.zip", Path.Combine(_dir, "out"), 1024);

        Assert.Null(unpacked.Failure);
        Assert.Equal("c", File.ReadAllText(Path.Combine(_dir, "out", "a", "b", "c.txt")));
        Assert.Equal("t", File.ReadAllText(Path.Combine(_dir, "out", "top.txt")));
    }

    [Theory]
    [InlineData("../up.txt")]
    [InlineData("a/../../up.txt")]
    [InlineData("..\\up.txt")]
    [InlineData("/etc/up.txt")]
    [InlineData("C:/up.txt")]
    public async Task An_entry_that_would_leave_the_destination_refuses_the_whole_zip_before_anything_is_written(string entry)
    {
        var unpacked = await ZipExtraction.ExtractAsync(Zip(("fine.txt", "f"u8.ToArray()), (entry, "u"u8.ToArray())), "x.zip", Path.Combine(_dir, "out"), 1024);

        Assert.Equal($"'x.zip' holds the entry '{entry}', which points outside the folder it unpacks into; the zip is refused.", unpacked.Failure!.Detail);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
        Assert.Empty(Directory.EnumerateFiles(_dir, "up.txt", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Unpacking_stops_at_the_byte_limit_whatever_the_entries_claim()
    {
        var unpacked = await ZipExtraction.ExtractAsync(Zip(("zeros.bin", new byte[64 * 1024])), "bomb.zip", Path.Combine(_dir, "out"), 10_000);

        Assert.Equal((FailureKind.TooLarge, "'bomb.zip' unpacks to more than 10,000 bytes (setting LoraLab:MaxAdapterUploadBytes)."), (unpacked.Failure!.Kind, unpacked.Failure.Detail));
    }

    [Fact]
    public async Task A_file_that_is_not_a_zip_is_named()
    {
        string path = Path.Combine(_dir, "notes.zip");
        File.WriteAllText(path, "just text");

        var unpacked = await ZipExtraction.ExtractAsync(path, "notes.zip", Path.Combine(_dir, "out"), 1024);

        Assert.Equal("'notes.zip' is not a zip file.", unpacked.Failure!.Detail);
    }
}
