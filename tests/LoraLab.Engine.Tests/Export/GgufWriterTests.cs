using System.Buffers.Binary;
using System.Text;
using LoraLab.Engine.Export.Gguf;

namespace LoraLab.Engine.Tests.Export;

public sealed class GgufWriterTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("gguf-writer-").FullName;

    [Fact]
    public void The_header_is_gguf_version_3_with_counts_and_tensor_data_starts_aligned_to_32_bytes()
    {
        string path = Path.Combine(folder, "one.gguf");
        var metadata = new GgufMetadata().String("general.architecture", "llama").UInt32("general.alignment", 32);

        GgufWriter.Write(path, metadata, [new GgufTensor("a", [3], GgmlType.F32, () => FloatEncoding.F32([1f, 2f, 3f]))]);

        var bytes = File.ReadAllBytes(path);
        Assert.Equal("GGUF", Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(1ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(2ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(0, (bytes.Length - 32) % 32);
        Assert.Equal(1f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(bytes.Length - 32)));
    }

    [Fact]
    public void A_write_that_fails_part_way_leaves_no_file_and_says_so()
    {
        string path = Path.Combine(folder, "failed.gguf");
        var tensors = new[]
        {
            new GgufTensor("a", [32], GgmlType.F32, () => new byte[128]),
            new GgufTensor("b", [32], GgmlType.F32, () => throw new IOException("No space left on device")),
        };

        var error = Assert.Throws<IOException>(() => GgufWriter.Write(path, new GgufMetadata(), tensors));

        Assert.Contains("No space left on device", error.Message);
        Assert.Contains("no partial file", error.Message);
        Assert.Empty(Directory.GetFiles(folder));
    }

    [Fact]
    public void A_tokenizer_of_another_kind_is_refused_in_one_sentence_that_names_it()
    {
        string model = Path.Combine(folder, "wordpiece");
        string fixture = Path.Combine(RepositoryFolder.Root, "..", "shared", "fixtures", "hf", "llama");
        Directory.CreateDirectory(model);
        File.Copy(Path.Combine(fixture, "config.json"), Path.Combine(model, "config.json"));
        File.WriteAllText(Path.Combine(model, "tokenizer.json"), """{"model": {"type": "WordPiece", "vocab": {}}}""");

        var error = Assert.Throws<NotSupportedException>(() => GgufModelExporter.Export(model, null, GgufFileType.F16, Path.Combine(folder, "w.gguf")));

        Assert.Contains("WordPiece", error.Message);
        Assert.False(File.Exists(Path.Combine(folder, "w.gguf")));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
