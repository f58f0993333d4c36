using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Files;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Methods;

namespace LoraLab.Web.Adapters;

/// <summary>What the studio lists about an adapter folder, read from its adapter_config.json without loading any weights.</summary>
/// <param name="PeftType">LORA, IA3, PROMPT_TUNING… (LORA when absent, as PEFT assumes).</param>
/// <param name="TargetModules">target_modules as JSON (a list of names or one pattern).</param>
/// <param name="Json">The whole file, for pages that show every field.</param>
public sealed record AdapterConfigFile(string PeftType, bool UseDora, int? Rank, string? TargetModules, string? BaseModelNameOrPath, JsonObject Json)
{
    /// <summary>LoRA and DoRA: the adapters with low-rank factors, which merge, combine and have a rank spectrum.</summary>
    public bool IsLora => PeftType == "LORA";

    /// <summary>The method whose adapters look like this one (a QLoRA adapter reads as LoRA), or null for a kind the engine does not read.</summary>
    public MethodSpec? Spec => MethodRegistry.OfAdapter(Json);

    /// <summary>The studio's method name (as a run's method) for this kind of adapter; a kind no method reads keeps its peft_type, lowercased.</summary>
    public string Method => Spec?.Name ?? PeftType.ToLowerInvariant();

    /// <summary>The config of the adapter in <paramref name="folder"/>, or null when it has no readable adapter_config.json.</summary>
    public static AdapterConfigFile? Read(string folder)
    {
        string path = Path.Combine(folder, AdapterFolder.ConfigFile);
        if (!File.Exists(path)) return null;
        JsonObject? json;
        try
        {
            // The engine's limits for files it did not write: the folder may be an upload.
            json = UntrustedFile.ParseJsonNode(path, problem => new InvalidDataException(problem)) as JsonObject;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return null;
        }
        if (json is null) return null;
        return new AdapterConfigFile(
            Text(json["peft_type"]) ?? "LORA",
            json["use_dora"] is JsonValue dora && dora.GetValueKind() == JsonValueKind.True,
            json["r"] is JsonValue r && r.TryGetValue(out int rank) ? rank : null,
            json["target_modules"]?.ToJsonString(),
            Text(json["base_model_name_or_path"]),
            json);
    }

    static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
