using System.Text;
using LoraLab.Engine.Checkpoints;
using TorchSharp;

namespace LoraLab.Engine.Tests.Checkpoints;

/// <summary>The reader and the writer checked byte for byte against files laid out by hand from the format's definition.</summary>
public sealed class SafetensorsLayoutTests : IDisposable
{
    readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_hand_built_file_reads_back_its_values_offsets_and_metadata()
    {
        // 1.5f, -2f, 0.25f, 3f as little-endian IEEE-754 singles, then -3 as a little-endian int16.
        byte[] data = [0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x80, 0x3E, 0x00, 0x00, 0x40, 0x40, 0xFD, 0xFF];
        const string header = """{"b":{"dtype":"I16","shape":[],"data_offsets":[16,18]},"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""";
        string path = _folder.File("hand-built.safetensors");
        File.WriteAllBytes(path, HandBuiltSafetensors.Bytes(header, data));

        using var file = SafetensorsFile.Open(path);
        using var w = file.Load("w");
        using var b = file.Load("b");

        var (wEntry, bEntry) = (file.Tensors["w"], file.Tensors["b"]);
        Assert.Equal((SafetensorsDType.F32, 0L, 16L, path), (wEntry.DType, wEntry.Begin, wEntry.End, wEntry.File));
        Assert.Equal([2L, 2L], wEntry.Shape);
        Assert.Equal((SafetensorsDType.I16, 16L, 18L), (bEntry.DType, bEntry.Begin, bEntry.End));
        Assert.Equal("pt", Assert.Single(file.Metadata).Value);
        Assert.Equal([1.5f, -2f, 0.25f, 3f], w.data<float>().ToArray());
        Assert.Equal([2L, 2L], w.shape);
        Assert.Empty(b.shape);
        Assert.Equal((short)-3, b.item<short>());
    }

    [Fact]
    public void The_writer_lays_out_length_padded_header_and_data_as_python_safetensors_does()
    {
        using var a = torch.tensor(7L);                                  // I64 scalar
        using var b = torch.tensor(new[] { 1f, 2f });                    // F32 [2]
        using var bb = torch.tensor(new[] { 5 });                        // I32 [1]
        using var c = torch.zeros([0], dtype: torch.int16);              // I16 [0]
        using var flag = torch.tensor(new[] { true });                   // BOOL [1]
        string path = _folder.File("layout.safetensors");

        SafetensorsWriter.Write(path, [new("flag", flag), new("bb", bb), new("b", b), new("c", c), new("a", a)],
            new Dictionary<string, string> { ["k"] = "v" });
        byte[] bytes = File.ReadAllBytes(path);

        // Widest element first, then by name: a (8-byte), b and bb (4), c (2), flag (1); offsets follow with no gaps.
        const string expectedJson = """{"__metadata__":{"k":"v"},"a":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"bb":{"dtype":"I32","shape":[1],"data_offsets":[16,20]},"c":{"dtype":"I16","shape":[0],"data_offsets":[20,20]},"flag":{"dtype":"BOOL","shape":[1],"data_offsets":[20,21]}}""";
        int paddedLength = (expectedJson.Length + 7) / 8 * 8;
        Assert.Equal(paddedLength, (int)BitConverter.ToUInt64(bytes, 0));
        Assert.Equal(expectedJson + new string(' ', paddedLength - expectedJson.Length), Encoding.UTF8.GetString(bytes, 8, paddedLength));
        byte[] expectedData = [7, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40, 5, 0, 0, 0, 0x01];
        Assert.Equal(expectedData, bytes[(8 + paddedLength)..]);
    }

    [Fact]
    public void A_header_whose_length_is_already_a_multiple_of_8_gets_no_padding()
    {
        using var x = torch.tensor(new byte[] { 9 });
        string path = _folder.File("aligned.safetensors");

        SafetensorsWriter.Write(path, [new("abcd", x)]);
        byte[] bytes = File.ReadAllBytes(path);

        const string expectedJson = """{"abcd":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""";
        Assert.Equal(0, expectedJson.Length % 8);
        Assert.Equal((ulong)expectedJson.Length, BitConverter.ToUInt64(bytes, 0));
        Assert.Equal(expectedJson, Encoding.UTF8.GetString(bytes, 8, expectedJson.Length));
        Assert.Equal(8 + expectedJson.Length + 1, bytes.Length);
    }

    [Fact]
    public void Writing_nothing_gives_an_empty_header_padded_to_8_bytes()
    {
        string path = _folder.File("empty.safetensors");

        SafetensorsWriter.Write(path, []);
        using var file = SafetensorsFile.Open(path);

        Assert.Equal([8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}', 32, 32, 32, 32, 32, 32], File.ReadAllBytes(path));
        Assert.Empty(file.Tensors);
    }
}
