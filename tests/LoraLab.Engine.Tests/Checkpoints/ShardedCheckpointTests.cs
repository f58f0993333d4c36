using System.Text.Json;
using LoraLab.Engine.Checkpoints;
using TorchSharp;

namespace LoraLab.Engine.Tests.Checkpoints;

public sealed class ShardedCheckpointTests : IDisposable
{
    readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Four F32 [4] tensors of 16 bytes and one F32 [10] of 40 bytes, in this order.</summary>
    static List<KeyValuePair<string, torch.Tensor>> FiveTensors() =>
    [
        new("layers.0.w", torch.arange(0, 4, dtype: torch.float32)),
        new("layers.1.w", torch.arange(4, 8, dtype: torch.float32)),
        new("layers.2.w", torch.arange(8, 12, dtype: torch.float32)),
        new("layers.3.w", torch.arange(12, 16, dtype: torch.float32)),
        new("lm_head.weight", torch.arange(16, 26, dtype: torch.float32)),
    ];

    [Fact]
    public void Sharding_at_32_bytes_gives_three_shards_an_index_and_the_same_tensors_back()
    {
        var tensors = FiveTensors();

        SafetensorsWriter.WriteSharded(_folder.Path, tensors, maxShardBytes: 32);
        using var reader = CheckpointReader.Open(_folder.Path);

        // 16+16 fill shard 1, 16+16 shard 2, and the 40-byte head exceeds the limit so it stands alone.
        string[] shardNames = ["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors"];
        Assert.Equal([.. shardNames, "model.safetensors.index.json"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName).Order());
        using var index = JsonDocument.Parse(File.ReadAllText(_folder.File("model.safetensors.index.json")));
        Assert.Equal(4 * 16 + 40, index.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
        var weightMap = index.RootElement.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["layers.0.w"] = shardNames[0], ["layers.1.w"] = shardNames[0],
            ["layers.2.w"] = shardNames[1], ["layers.3.w"] = shardNames[1],
            ["lm_head.weight"] = shardNames[2],
        }, weightMap);
        Assert.Equal(tensors.Select(t => t.Key).Order(), reader.Tensors.Keys.Order());
        foreach (var (name, original) in tensors)
        {
            using var loaded = reader.Load(name);
            Assert.Equal(original.data<float>().ToArray(), loaded.data<float>().ToArray());
            Assert.Equal(weightMap[name], Path.GetFileName(reader.Tensors[name].File));
        }
    }

    [Fact]
    public void Shards_carry_the_pt_format_metadata_transformers_checks_for()
    {
        SafetensorsWriter.WriteSharded(_folder.Path, FiveTensors(), maxShardBytes: 32);

        using var shard = SafetensorsFile.Open(_folder.File("model-00002-of-00003.safetensors"));

        Assert.Equal("pt", shard.Metadata["format"]);
    }

    [Fact]
    public void Everything_within_one_shard_is_written_as_a_single_file_without_an_index()
    {
        SafetensorsWriter.WriteSharded(_folder.Path, FiveTensors(), maxShardBytes: 104);
        using var reader = CheckpointReader.Open(_folder.Path);
        using var head = reader.Load("lm_head.weight");

        Assert.Equal(["model.safetensors"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
        Assert.Equal(5, reader.Tensors.Count);
        Assert.Equal(Enumerable.Range(16, 10).Select(i => (float)i), head.data<float>().ToArray());
    }

    [Fact]
    public void Rewriting_as_a_single_file_removes_the_stale_index_and_the_reverse_removes_the_single_file()
    {
        SafetensorsWriter.WriteSharded(_folder.Path, FiveTensors(), maxShardBytes: 32);
        SafetensorsWriter.WriteSharded(_folder.Path, FiveTensors(), maxShardBytes: 1000);
        Assert.False(File.Exists(_folder.File("model.safetensors.index.json")));

        SafetensorsWriter.WriteSharded(_folder.Path, FiveTensors(), maxShardBytes: 32);

        Assert.False(File.Exists(_folder.File("model.safetensors")));
        Assert.True(File.Exists(_folder.File("model.safetensors.index.json")));
    }

    [Fact]
    public void A_custom_base_name_names_shards_and_index()
    {
        SafetensorsWriter.WriteSharded(_folder.Path, FiveTensors(), maxShardBytes: 64, baseName: "adapter_model");

        Assert.Equal(
            ["adapter_model-00001-of-00002.safetensors", "adapter_model-00002-of-00002.safetensors", "adapter_model.safetensors.index.json"],
            Directory.GetFiles(_folder.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_path_to_one_safetensors_file_opens_as_a_checkpoint()
    {
        using var x = torch.tensor(new[] { 4, 5 });
        string path = _folder.File("adapter_model.safetensors");
        SafetensorsWriter.Write(path, [new("x", x)]);

        using var reader = CheckpointReader.Open(path);
        using var loaded = reader.Load("x");

        Assert.Equal([4, 5], loaded.data<int>().ToArray());
    }

    [Fact]
    public void A_folder_without_weights_is_reported_by_name()
    {
        var error = Assert.Throws<FileNotFoundException>(() => CheckpointReader.Open(_folder.Path));

        Assert.Contains(_folder.Path, error.Message);
        Assert.Contains("model.safetensors", error.Message);
    }

    [Theory]
    [InlineData(new long[0], 10, "")]
    [InlineData(new long[] { 10, 10, 10 }, 20, "0,1|2")]
    [InlineData(new long[] { 5, 50, 5, 5 }, 20, "0|1|2,3")]
    [InlineData(new long[] { 0, 20, 0 }, 20, "0,1,2")]
    public void Shards_fill_greedily_in_order_and_an_oversized_tensor_stands_alone(long[] sizes, long max, string expected)
    {
        var shards = ShardPlan.Split(sizes, max);

        string actual = string.Join("|", shards.Select(shard => string.Join(",", shard)));
        Assert.Equal(expected, actual);
    }
}
