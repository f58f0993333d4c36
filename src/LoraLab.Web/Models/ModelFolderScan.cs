using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Models;

/// <summary>What one model folder holds right now: its config.json text and parsed config, or why it is unusable.</summary>
sealed record ModelFolderScan(string Folder, ModelSource Source, string? ConfigJson, ModelConfig? Config, string? Error)
{
    /// <summary>
    /// The folder's name, except for the demo: its folder is called "model", so it is named after what it is,
    /// family and size, as "demo-llama-3.2M".
    /// </summary>
    public string Name => Source == ModelSource.Demo && Config is { } config
        ? $"demo-{config.Family.ToString().ToLowerInvariant()}-{ParameterCountFormat.Format(config.ParameterCount())}"
        : Path.GetFileName(Folder);

    public static ModelFolderScan Read(string folder, ModelSource source)
    {
        try
        {
            var config = ModelConfig.Load(folder);
            return new ModelFolderScan(folder, source, File.ReadAllText(Path.Combine(folder, "config.json")), config, null);
        }
        catch (Exception e) when (e is ModelConfigException or IOException or UnauthorizedAccessException)
        {
            return new ModelFolderScan(folder, source, null, null, e.Message);
        }
    }

    /// <summary>The config a record saved at registration, parsed again; null when the record holds none.</summary>
    public static ModelConfig? Parse(BaseModel model)
    {
        if (model.ConfigJson is null) return null;
        try
        {
            return JsonNode.Parse(model.ConfigJson) is JsonObject json ? ModelConfig.Parse(json, Path.Combine(model.Folder, "config.json")) : null;
        }
        catch (Exception e) when (e is JsonException or ModelConfigException)
        {
            return null;
        }
    }
}
