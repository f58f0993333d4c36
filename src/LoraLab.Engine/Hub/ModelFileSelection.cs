using System.Text.Json;

namespace LoraLab.Engine.Hub;

/// <summary>
/// The files of a repository that make a model folder this engine loads: config.json, the tokenizer files, and the
/// safetensors weights the checkpoint reader opens (model.safetensors, else model.safetensors.index.json and the shards
/// it names). Nothing else is fetched: no PyTorch, ONNX or GGUF weights, no sub-folders, no other safetensors.
/// </summary>
public static class ModelFileSelection
{
    public const string ConfigFile = "config.json", SingleWeights = "model.safetensors", WeightsIndex = "model.safetensors.index.json";

    /// <summary>Optional files the engine reads (tokenizer, chat template, generation settings), fetched when the repository has them.</summary>
    public static readonly IReadOnlyList<string> SupportFiles =
        [ConfigFile, "generation_config.json", "tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja"];

    static readonly string[] OtherWeightSuffixes = [".bin", ".pt", ".pth", ".ckpt", ".onnx", ".gguf", ".h5", ".msgpack", ".safetensors"];

    /// <summary>
    /// The files to fetch: the support files the repository has, then model.safetensors, or else the index (whose shards
    /// <see cref="Shards"/> reads from it once fetched).
    /// </summary>
    /// <exception cref="HubDownloadException">With <see cref="HubFailure.NotSupported"/>: no config.json, no tokenizer or no safetensors weights.</exception>
    public static (IReadOnlyList<HubFile> Files, HubFile? Index) Choose(HubRepoListing listing)
    {
        string where = $"'{listing.Repo}' at revision '{listing.Revision}'";
        if (listing.Find(ConfigFile) is null)
            throw new HubDownloadException(HubFailure.NotSupported, $"{where} has no config.json, so it is not a transformers model.");
        if (listing.Find("tokenizer.json") is null && listing.Find("tokenizer.model") is null)
            throw new HubDownloadException(HubFailure.NotSupported, $"{where} has neither tokenizer.json nor tokenizer.model.");
        var files = SupportFiles.Select(listing.Find).OfType<HubFile>().ToList();
        if (listing.Find(SingleWeights) is { } single) return ([.. files, single], null);
        if (listing.Find(WeightsIndex) is { } index) return ([.. files, index], index);
        throw new HubDownloadException(HubFailure.NotSupported, $"{where} has no {SingleWeights} or {WeightsIndex}{OtherWeights(listing)}; LoRA Lab loads only safetensors weights.");
    }

    /// <summary>The shard files the index's weight_map names, in first-use order, each required to be in the repository.</summary>
    public static IReadOnlyList<HubFile> Shards(HubRepoListing listing, byte[] indexJson)
    {
        string source = $"{WeightsIndex} of '{listing.Repo}'";
        var names = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(indexJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new HubDownloadException(HubFailure.NotSupported, $"{source} has no weight_map object.");
            foreach (var entry in map.EnumerateObject())
            {
                string? shard = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString() : null;
                if (shard is null || Path.GetFileName(shard) != shard || !shard.EndsWith(".safetensors", StringComparison.Ordinal))
                    throw new HubDownloadException(HubFailure.NotSupported, $"{source} maps '{entry.Name}' to {entry.Value.GetRawText()}, not a .safetensors file beside the index.");
                if (!names.Contains(shard)) names.Add(shard);
            }
        }
        catch (JsonException e)
        {
            throw new HubDownloadException(HubFailure.NotSupported, $"{source} is not valid JSON ({e.Message}).");
        }
        if (names.Count == 0) throw new HubDownloadException(HubFailure.NotSupported, $"{source} maps no tensor to a shard.");
        return names.Select(name => listing.Find(name)
            ?? throw new HubDownloadException(HubFailure.NotSupported, $"{source} names the shard '{name}', which the repository does not hold.")).ToList();
    }

    /// <summary>", which holds pytorch_model.bin" and the like: says what the repository has instead, when it has weights.</summary>
    static string OtherWeights(HubRepoListing listing)
    {
        var weights = listing.Files.Where(f => OtherWeightSuffixes.Any(s => f.Path.EndsWith(s, StringComparison.OrdinalIgnoreCase))).Select(f => f.Path).ToList();
        return weights.Count switch
        {
            0 => "",
            <= 3 => $" (it holds {string.Join(", ", weights)})",
            _ => $" (it holds {string.Join(", ", weights.Take(3))} and {weights.Count - 3} more)",
        };
    }
}
