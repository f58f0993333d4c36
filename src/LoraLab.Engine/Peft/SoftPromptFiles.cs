using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Files;
using LoraLab.Engine.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.PrefixTuning;
using LoraLab.Engine.Peft.PromptTuning;

namespace LoraLab.Engine.Peft;

/// <summary>
/// Prompt- and prefix-tuning adapters in Hugging Face PEFT's layout: <c>adapter_config.json</c> and
/// <c>adapter_model.safetensors</c> holding one tensor, <c>prompt_embeddings</c> (PEFT's <c>get_peft_model_state_dict</c>
/// for prompt learning): (num_virtual_tokens, hidden) for prompt tuning, (num_virtual_tokens, num_layers·2·token_dim)
/// for prefix tuning.
/// </summary>
public static class SoftPromptFiles
{
    public const string EmbeddingsKey = "prompt_embeddings";

    /// <summary>Loads the prompt- or prefix-tuning adapter in <paramref name="adapterDirectory"/> onto <paramref name="lm"/>, by its peft_type.</summary>
    public static IPeftMethod Load(CausalLM lm, string adapterDirectory)
    {
        var json = ReadJson(adapterDirectory);
        string? peftType = json["peft_type"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        return peftType switch
        {
            "PROMPT_TUNING" => PromptTuningMethod.Load(lm, adapterDirectory),
            "PREFIX_TUNING" => PrefixTuningMethod.Load(lm, adapterDirectory),
            _ => throw new PeftConfigException(
                $"{ConfigPath(adapterDirectory)}: peft_type '{peftType}' is not a soft-prompt adapter (expected PROMPT_TUNING or PREFIX_TUNING)."),
        };
    }

    /// <summary>Parses adapter_config.json with <paramref name="parse"/>; every error names the file.</summary>
    internal static T ReadConfig<T>(string adapterDirectory, Func<JsonObject, T> parse) where T : PromptLearningConfig
    {
        var json = ReadJson(adapterDirectory);
        try
        {
            var config = parse(json);
            config.ValidateShape();
            return config;
        }
        catch (PeftConfigException e) { throw new PeftConfigException($"{ConfigPath(adapterDirectory)}: {e.Message}"); }
    }

    /// <summary><paramref name="resolve"/>d against the base model, with a mismatch naming the file.</summary>
    internal static T Fit<T>(string adapterDirectory, Func<T> resolve)
    {
        try { return resolve(); }
        catch (AdapterMismatchException e) { throw new AdapterMismatchException($"{ConfigPath(adapterDirectory)}: {e.Message}"); }
    }

    /// <summary>
    /// The adapter's <c>prompt_embeddings</c> as a float32 CPU tensor, after checking that the file holds exactly that
    /// tensor with <paramref name="shape"/> (what the base model needs, described by <paramref name="meaning"/>).
    /// </summary>
    internal static Tensor ReadEmbeddings(string adapterDirectory, long[] shape, string meaning)
    {
        string path = Path.Combine(adapterDirectory, AdapterFolder.WeightsFile);
        if (!File.Exists(path))
            throw new PeftConfigException(File.Exists(Path.Combine(adapterDirectory, "adapter_model.bin"))
                ? $"{adapterDirectory} holds adapter_model.bin (a pickled PyTorch file, which is unsafe to load); save the adapter with safe_serialization=True."
                : $"{path} does not exist.");
        using var file = SafetensorsFile.Open(path);
        if (!file.Tensors.TryGetValue(EmbeddingsKey, out var entry))
            throw new AdapterMismatchException($"{path} has no tensor '{EmbeddingsKey}' (it holds {string.Join(", ", file.Tensors.Keys.Order(StringComparer.Ordinal))}).");
        var unexpected = file.Tensors.Keys.Where(k => k != EmbeddingsKey).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0)
            throw new AdapterMismatchException($"{path} holds tensors a soft-prompt adapter does not have: {string.Join(", ", unexpected)}.");
        if (!entry.Shape.SequenceEqual(shape))
            throw new AdapterMismatchException(
                $"{path}: tensor '{EmbeddingsKey}' has shape {WeightLoading.Shape(entry.Shape)} but this base model needs {WeightLoading.Shape(shape)} ({meaning}).");
        return file.Load(EmbeddingsKey, CPU, ScalarType.Float32);
    }

    /// <summary>Writes <paramref name="embeddings"/> as <c>prompt_embeddings</c> (float32) and the config, as PEFT's save_pretrained.</summary>
    internal static void Write(string adapterDirectory, JsonObject config, Tensor embeddings)
    {
        Directory.CreateDirectory(adapterDirectory);
        using (NewDisposeScope())
            SafetensorsWriter.Write(Path.Combine(adapterDirectory, AdapterFolder.WeightsFile),
                [KeyValuePair.Create(EmbeddingsKey, embeddings.detach().to(ScalarType.Float32, CPU))], new Dictionary<string, string> { ["format"] = "pt" });
        File.WriteAllText(ConfigPath(adapterDirectory), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    static string ConfigPath(string adapterDirectory) => Path.Combine(adapterDirectory, AdapterFolder.ConfigFile);

    static JsonObject ReadJson(string adapterDirectory)
    {
        string path = ConfigPath(adapterDirectory);
        if (!File.Exists(path)) throw new PeftConfigException($"{path} does not exist: a PEFT adapter folder needs adapter_config.json.");
        try { return UntrustedFile.ParseJsonNode(path, problem => new PeftConfigException($"{path}: {problem}.")) as JsonObject ?? throw new PeftConfigException($"{path} must hold a JSON object."); }
        catch (JsonException e) { throw new PeftConfigException($"{path} is not valid JSON: {e.Message}"); }
    }
}
