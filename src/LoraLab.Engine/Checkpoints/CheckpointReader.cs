using TorchSharp;

namespace LoraLab.Engine.Checkpoints;

/// <summary>
/// The weights of a model folder, however they are stored: a single <c>model.safetensors</c>, or
/// <c>model.safetensors.index.json</c> and the shards it names. A path to one .safetensors file also works.
/// Every file is opened and validated up front, so a broken checkpoint fails before any weight is loaded.
/// </summary>
public sealed class CheckpointReader : IDisposable
{
    const string BaseName = "model";

    readonly string _source;
    readonly IReadOnlyList<SafetensorsFile> _files;
    readonly Dictionary<string, SafetensorsFile> _fileOfTensor;

    CheckpointReader(string source, IReadOnlyList<SafetensorsFile> files, Dictionary<string, SafetensorsFile> fileOfTensor)
    {
        _source = source;
        _files = files;
        _fileOfTensor = fileOfTensor;
        Tensors = fileOfTensor.ToDictionary(pair => pair.Key, pair => pair.Value.Tensors[pair.Key], StringComparer.Ordinal).AsReadOnly();
    }

    public IReadOnlyDictionary<string, TensorEntry> Tensors { get; }

    /// <summary>
    /// Like transformers, a folder's <c>model.safetensors</c> wins over an index beside it.
    /// Tensors a shard holds but the index does not list are ignored, as transformers does.
    /// </summary>
    public static CheckpointReader Open(string directoryOrFile)
    {
        if (File.Exists(directoryOrFile)) return FromSingleFile(directoryOrFile);
        if (!Directory.Exists(directoryOrFile))
            throw new FileNotFoundException($"No checkpoint at '{directoryOrFile}': it is neither a .safetensors file nor a folder.", directoryOrFile);

        string single = Path.Combine(directoryOrFile, ShardPlan.SingleFileName(BaseName));
        if (File.Exists(single)) return FromSingleFile(single);
        string index = Path.Combine(directoryOrFile, ShardIndex.FileName(BaseName));
        if (File.Exists(index)) return FromIndex(Path.GetFullPath(index));
        throw new FileNotFoundException(
            $"'{directoryOrFile}' holds neither {ShardPlan.SingleFileName(BaseName)} nor {ShardIndex.FileName(BaseName)}.", single);
    }

    static CheckpointReader FromSingleFile(string path)
    {
        var file = SafetensorsFile.Open(path);
        return new CheckpointReader(file.Path, [file], file.Tensors.Keys.ToDictionary(name => name, _ => file, StringComparer.Ordinal));
    }

    static CheckpointReader FromIndex(string indexPath)
    {
        string folder = Path.GetDirectoryName(indexPath)!;
        var shards = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            var fileOfTensor = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var (tensor, shardName) in ShardIndex.ReadWeightMap(indexPath))
            {
                if (!shards.TryGetValue(shardName, out var shard))
                {
                    string shardPath = Path.Combine(folder, shardName);
                    if (!File.Exists(shardPath))
                        throw new CheckpointFormatException(indexPath, tensor, $"is mapped to shard '{shardName}', which does not exist in {folder}.");
                    shard = SafetensorsFile.Open(shardPath);
                    shards.Add(shardName, shard);
                }
                if (!shard.Tensors.ContainsKey(tensor))
                    throw new CheckpointFormatException(shard.Path, tensor, $"is mapped to this shard by {Path.GetFileName(indexPath)} but is not in it.");
                fileOfTensor.Add(tensor, shard);
            }
            return new CheckpointReader(indexPath, shards.Values.ToList(), fileOfTensor);
        }
        catch
        {
            foreach (var shard in shards.Values) shard.Dispose();
            throw;
        }
    }

    /// <summary>Loads a tensor from whichever file holds it; see <see cref="SafetensorsFile.Load"/>.</summary>
    public torch.Tensor Load(string name, torch.Device? device = null, torch.ScalarType? dtype = null)
    {
        if (!_fileOfTensor.TryGetValue(name, out var file))
            throw new KeyNotFoundException($"{_source}: there is no tensor named '{name}'.");
        return file.Load(name, device, dtype);
    }

    public void Dispose()
    {
        foreach (var file in _files) file.Dispose();
    }
}
