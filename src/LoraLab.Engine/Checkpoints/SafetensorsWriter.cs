using TorchSharp;

namespace LoraLab.Engine.Checkpoints;

/// <summary>Writes safetensors files that Python's safetensors and transformers read, always atomically.</summary>
public static class SafetensorsWriter
{
    /// <summary>transformers refuses shards whose metadata lacks a known format.</summary>
    static readonly IReadOnlyDictionary<string, string> ShardMetadata = new Dictionary<string, string> { ["format"] = "pt" };

    /// <summary>Stream writes take an int length; 1 GiB chunks keep any tensor within it.</summary>
    const int ChunkBytes = 1 << 30;

    /// <summary>
    /// Writes <paramref name="tensors"/> to one file. Tensors on other devices are copied to the CPU and non-contiguous
    /// ones are written in row-major order; the caller's tensors are left untouched.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var layout = SafetensorsLayout.Plan(tensors, metadata);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(layout.Header);
            foreach (var slot in layout.Slots) WriteData(stream, slot.Tensor);
        });
    }

    /// <summary>
    /// Writes <c>{baseName}-00001-of-0000N.safetensors</c> shards of at most <paramref name="maxShardBytes"/> each (a larger
    /// tensor gets a shard of its own) and <c>{baseName}.safetensors.index.json</c>, or a single <c>{baseName}.safetensors</c>
    /// when everything fits one shard. The index is written last, and the layout not written (single file or index) is
    /// deleted afterwards so readers that prefer either one never see a stale checkpoint.
    /// </summary>
    public static void WriteSharded(string directory, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, long maxShardBytes, string baseName = "model")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseName);
        var all = tensors.ToList();
        SafetensorsLayout.Plan(all, ShardMetadata); // rejects bad names and dtypes before any shard is written
        var bytes = all.Select(pair => pair.Value.NumberOfElements * pair.Value.ElementSize).ToList();
        var shards = ShardPlan.Split(bytes, maxShardBytes);

        string singlePath = Path.Combine(directory, ShardPlan.SingleFileName(baseName));
        string indexPath = Path.Combine(directory, ShardIndex.FileName(baseName));
        if (shards.Count == 1)
        {
            Write(singlePath, all, ShardMetadata);
            File.Delete(indexPath);
            return;
        }

        var weightMap = new List<KeyValuePair<string, string>>();
        for (int s = 0; s < shards.Count; s++)
        {
            string shardName = ShardPlan.ShardFileName(baseName, s, shards.Count);
            var members = shards[s].Select(i => all[i]).ToList();
            Write(Path.Combine(directory, shardName), members, ShardMetadata);
            weightMap.AddRange(members.Select(pair => new KeyValuePair<string, string>(pair.Key, shardName)));
        }
        ShardIndex.Write(indexPath, bytes.Sum(), weightMap);
        File.Delete(singlePath);
    }

    static unsafe void WriteData(Stream stream, torch.Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var contiguous = tensor.cpu().contiguous();
        long size = contiguous.NumberOfElements * contiguous.ElementSize;
        if (size == 0) return;
        byte* start = TensorMemory.FirstElementAddress(contiguous);
        for (long written = 0; written < size; written += ChunkBytes)
            stream.Write(new ReadOnlySpan<byte>(start + written, (int)Math.Min(ChunkBytes, size - written)));
    }
}
