using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Files;
using LoraLab.Engine.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Peft;

/// <summary>
/// The two files of an adapter folder, whatever the method: <c>adapter_config.json</c> (with its <c>peft_type</c>) and
/// <c>adapter_model.safetensors</c>. Loading is strict: every expected key and shape is checked before the model is touched.
/// </summary>
public static class AdapterFolder
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";
    /// <summary>What PEFT's PeftModel puts before a module's own name in saved adapter keys.</summary>
    public const string KeyPrefix = "base_model.model.";

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The <c>peft_type</c> of the adapter in <paramref name="directory"/> (LORA when absent, as PEFT assumes), to pick a loader.</summary>
    public static string PeftType(string directory) => PeftTypeOf(ReadJson(directory), Path.Combine(directory, ConfigFile));

    /// <summary>adapter_config.json, which must declare <paramref name="peftType"/>; <paramref name="parse"/> errors are reported with the file's path.</summary>
    public static T ReadConfig<T>(string directory, string peftType, Func<JsonObject, T> parse)
    {
        string path = Path.Combine(directory, ConfigFile);
        var json = ReadJson(directory);
        string declared = PeftTypeOf(json, path);
        if (declared != peftType) throw new PeftConfigException($"{path}: peft_type is '{declared}', but this loader reads {peftType} adapters.");
        try { return parse(json); }
        catch (PeftConfigException e) { throw new PeftConfigException($"{path}: {e.Message}"); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new PeftConfigException($"{path}: a field has the wrong type ({e.Message}).");
        }
    }

    public static SafetensorsFile OpenWeights(string directory)
    {
        string path = Path.Combine(directory, WeightsFile);
        if (!File.Exists(path))
            throw new PeftConfigException(File.Exists(Path.Combine(directory, "adapter_model.bin"))
                ? $"{directory} holds adapter_model.bin (a pickled PyTorch file, which is unsafe to load); save the adapter with safe_serialization=True."
                : $"{path} does not exist.");
        return SafetensorsFile.Open(path);
    }

    /// <summary>Fails unless <paramref name="file"/> holds exactly <paramref name="expected"/> (key → shape); the message names the first mismatching tensor.</summary>
    public static void Verify(SafetensorsFile file, IReadOnlyList<(string Key, long[] Shape)> expected)
    {
        var problems = new List<string>();
        foreach (var (key, shape) in expected)
        {
            if (!file.Tensors.TryGetValue(key, out var entry)) problems.Add($"{key} is missing");
            else if (!entry.Shape.SequenceEqual(shape))
                problems.Add($"{key} has shape {WeightLoading.Shape(entry.Shape)} but this base model needs {WeightLoading.Shape(shape)}");
        }
        var known = expected.Select(e => e.Key).ToHashSet();
        problems.AddRange(file.Tensors.Keys.Where(k => !known.Contains(k)).Order(StringComparer.Ordinal).Select(k => $"{k} matches no part of this model"));
        if (problems.Count > 0)
            throw new AdapterMismatchException($"The adapter {file.Path} does not fit this base model: {problems[0]}" +
                (problems.Count > 1 ? $" (and {problems.Count - 1} more problems)." : "."));
    }

    /// <summary>Copies each stored tensor into its target, converting to the target's dtype and device.</summary>
    public static void CopyInto(SafetensorsFile file, IEnumerable<(string Key, Tensor Target)> targets)
    {
        using var noGrad = no_grad();
        foreach (var (key, target) in targets)
        {
            using var scope = NewDisposeScope();
            target.copy_(file.Load(key, target.device, target.dtype));
        }
    }

    /// <summary>Writes the weights (in their own dtype) and the config, creating the folder.</summary>
    public static void Write(string directory, JsonObject config, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        Directory.CreateDirectory(directory);
        SafetensorsWriter.Write(Path.Combine(directory, WeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        File.WriteAllText(Path.Combine(directory, ConfigFile), config.ToJsonString(Indented));
    }

    /// <summary>adapter_config.json as a JSON object, whatever its peft_type; read with the limits of a file the engine did not write.</summary>
    public static JsonObject ReadConfigJson(string directory) => ReadJson(directory);

    static JsonObject ReadJson(string directory)
    {
        string path = Path.Combine(directory, ConfigFile);
        if (!File.Exists(path)) throw new PeftConfigException($"{path} does not exist: an adapter folder needs adapter_config.json.");
        try { return UntrustedFile.ParseJsonNode(path, problem => new PeftConfigException($"{path}: {problem}.")) as JsonObject ?? throw new PeftConfigException($"{path} must hold a JSON object."); }
        catch (JsonException e) { throw new PeftConfigException($"{path} is not valid JSON: {e.Message}"); }
    }

    static string PeftTypeOf(JsonObject json, string path) => json["peft_type"] switch
    {
        null => "LORA",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw new PeftConfigException($"{path}: peft_type must be a string, got {other.ToJsonString()}."),
    };
}
