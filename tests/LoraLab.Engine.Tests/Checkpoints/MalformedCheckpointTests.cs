using System.Buffers.Binary;
using LoraLab.Engine.Checkpoints;
using TorchSharp;

namespace LoraLab.Engine.Tests.Checkpoints;

/// <summary>Untrusted files: every defect is refused at open with a message naming the file and, where one is at fault, the tensor.</summary>
public sealed class MalformedCheckpointTests : IDisposable
{
    readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    CheckpointFormatException OpenFails(string fileName, byte[] bytes)
    {
        string path = _folder.File(fileName);
        File.WriteAllBytes(path, bytes);
        return Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path).Dispose());
    }

    static byte[] LengthThenBytes(ulong claimedHeaderLength, int followingBytes)
    {
        var bytes = new byte[8 + followingBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedHeaderLength);
        return bytes;
    }

    [Fact]
    public void A_file_shorter_than_the_length_field_names_the_file()
    {
        var error = OpenFails("short.safetensors", [1, 2, 3]);

        Assert.Contains("short.safetensors", error.Message);
        Assert.Contains("3 bytes", error.Message);
    }

    [Fact]
    public void A_header_longer_than_the_file_names_the_file()
    {
        var error = OpenFails("truncated.safetensors", LengthThenBytes(1000, 10));

        Assert.Contains("truncated.safetensors", error.Message);
        Assert.Contains("1000", error.Message);
    }

    [Fact]
    public void A_header_over_100_MB_is_refused_before_reading_it()
    {
        var error = OpenFails("huge-header.safetensors", LengthThenBytes(200_000_000, 10));

        Assert.Contains("huge-header.safetensors", error.Message);
        Assert.Contains("200000000", error.Message);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("""[{"dtype":"F32"}]""", "must be a JSON object")]
    [InlineData("""{"__metadata__":{"format":1}}""", "'format' must map to a string")]
    [InlineData("""{"__metadata__":["pt"]}""", "__metadata__ must be an object")]
    [InlineData("""{"layers.0.w":{"dtype":"F32","shape":[0],"data_offsets":[0,0],"x":[[[[[[[[]]]]]]]]}}""", "not valid JSON")]
    public void A_header_that_is_not_a_safetensors_object_names_the_file(string header, string problem)
    {
        var error = OpenFails("bad-header.safetensors", HandBuiltSafetensors.Bytes(header, []));

        Assert.Contains("bad-header.safetensors", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Theory]
    [InlineData("""{"layers.0.w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}""", 8, "dtype 'F8_E4M3' is not supported")]
    [InlineData("""{"layers.0.w":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}}""", 8, "dtype 'f32' is not supported")]
    [InlineData("""{"layers.0.w":{"shape":[2],"data_offsets":[0,8]}}""", 8, "no dtype")]
    [InlineData("""{"layers.0.w":{"dtype":"F32","shape":[-2,-2],"data_offsets":[0,16]}}""", 16, "negative dimension")]
    [InlineData("""{"layers.0.w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}""", 8, "shape must be an array of integers")]
    [InlineData("""{"layers.0.w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8, "run past the 8-byte data buffer")]
    [InlineData("""{"layers.0.w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", 8, "end before they begin")]
    [InlineData("""{"layers.0.w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}""", 8, "negative")]
    [InlineData("""{"layers.0.w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}""", 8, "data_offsets must be an array of 2 integers")]
    [InlineData("""{"layers.0.w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "hold 8 bytes but shape [3] of F32 needs 12")]
    [InlineData("""{"layers.0.w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}}""", 8, "more than 2^63 bytes")]
    [InlineData("""{"layers.0.w":"F32"}""", 8, "must be an object")]
    [InlineData("""{"layers.0.w":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]}}""", 8, "shape has 33 dimensions, more than the 32 allowed")]
    [InlineData("""{"layers.0.w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"layers.0.w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "declared twice")]
    public void A_bad_tensor_entry_names_the_file_and_the_tensor(string header, int dataBytes, string problem)
    {
        var error = OpenFails("bad-entry.safetensors", HandBuiltSafetensors.Bytes(header, new byte[dataBytes]));

        Assert.Contains("bad-entry.safetensors", error.Message);
        Assert.Contains("'layers.0.w'", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Equal("layers.0.w", error.Tensor);
    }

    [Fact]
    public void Overlapping_tensors_name_both()
    {
        const string header = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""";

        var error = OpenFails("overlap.safetensors", HandBuiltSafetensors.Bytes(header, new byte[12]));

        Assert.Contains("overlap.safetensors", error.Message);
        Assert.Contains("'b'", error.Message);
        Assert.Contains("'a'", error.Message);
        Assert.Contains("overlap", error.Message);
    }

    [Fact]
    public void Zero_byte_tensors_may_share_an_offset_with_their_neighbours()
    {
        const string header = """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""";
        string path = _folder.File("zero-sized.safetensors");
        File.WriteAllBytes(path, HandBuiltSafetensors.Bytes(header, new byte[8]));

        using var file = SafetensorsFile.Open(path);

        Assert.Equal(3, file.Tensors.Count);
    }

    void WriteIndex(string weightMapJson) =>
        File.WriteAllText(_folder.File("model.safetensors.index.json"), $$"""{"metadata":{"total_size":8},"weight_map":{{weightMapJson}}}""");

    [Fact]
    public void An_index_naming_a_missing_shard_names_the_index_the_shard_and_the_tensor()
    {
        WriteIndex("""{"layers.0.w":"model-00001-of-00002.safetensors"}""");

        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Open(_folder.Path).Dispose());

        Assert.Contains("model.safetensors.index.json", error.Message);
        Assert.Contains("model-00001-of-00002.safetensors", error.Message);
        Assert.Contains("'layers.0.w'", error.Message);
    }

    [Fact]
    public void An_index_naming_a_tensor_its_shard_lacks_names_the_shard_and_the_tensor()
    {
        using var present = torch.ones(2);
        SafetensorsWriter.Write(_folder.File("model-00001-of-00001.safetensors"), [new("layers.0.w", present)]);
        WriteIndex("""{"layers.0.w":"model-00001-of-00001.safetensors","layers.1.w":"model-00001-of-00001.safetensors"}""");

        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Open(_folder.Path).Dispose());

        Assert.Contains("model-00001-of-00001.safetensors", error.Message);
        Assert.Contains("'layers.1.w'", error.Message);
        Assert.Contains("not in it", error.Message);
    }

    [Theory]
    [InlineData("""{"layers.0.w":"../elsewhere/model.safetensors"}""", "must name a shard file in the index's folder")]
    [InlineData("""{"layers.0.w":3}""", "must name a shard file in the index's folder")]
    public void An_index_pointing_outside_its_folder_names_the_index_and_the_tensor(string weightMap, string problem)
    {
        WriteIndex(weightMap);

        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Open(_folder.Path).Dispose());

        Assert.Contains("model.safetensors.index.json", error.Message);
        Assert.Contains("'layers.0.w'", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void An_index_without_a_weight_map_names_the_index()
    {
        File.WriteAllText(_folder.File("model.safetensors.index.json"), """{"metadata":{}}""");

        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Open(_folder.Path).Dispose());

        Assert.Contains("model.safetensors.index.json", error.Message);
        Assert.Contains("weight_map", error.Message);
    }
}
