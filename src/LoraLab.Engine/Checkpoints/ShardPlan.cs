namespace LoraLab.Engine.Checkpoints;

/// <summary>How tensors are split across shard files, following transformers' save_pretrained.</summary>
internal static class ShardPlan
{
    /// <summary>
    /// Groups items greedily in the given order: a shard is closed when the next item would push it past
    /// <paramref name="maxShardBytes"/>. An item larger than the limit gets a shard of its own.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<int>> Split(IReadOnlyList<long> itemBytes, long maxShardBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        var shards = new List<IReadOnlyList<int>>();
        var current = new List<int>();
        long currentBytes = 0;
        for (int i = 0; i < itemBytes.Count; i++)
        {
            if (current.Count > 0 && currentBytes + itemBytes[i] > maxShardBytes)
            {
                shards.Add(current);
                current = [];
                currentBytes = 0;
            }
            current.Add(i);
            currentBytes += itemBytes[i];
        }
        if (current.Count > 0 || shards.Count == 0) shards.Add(current);
        return shards;
    }

    /// <summary>The Hugging Face convention, 1-based: model-00001-of-00003.safetensors.</summary>
    public static string ShardFileName(string baseName, int index, int count) => $"{baseName}-{index + 1:D5}-of-{count:D5}.safetensors";

    public static string SingleFileName(string baseName) => $"{baseName}.safetensors";
}
