using LoraLab.Web.Models;

namespace LoraLab.Web.Adapters;

/// <summary>
/// The registered models an adapter_config.json's base_model_name_or_path may mean: the model in that folder, or the
/// models named as its last part ("HuggingFaceTB/SmolLM2-135M" → "SmolLM2-135M"), which is how the studio names a
/// folder and how PEFT records a hub id.
/// </summary>
public static class BaseModelMatch
{
    public static IReadOnlyList<RegisteredModel> Find(IEnumerable<RegisteredModel> models, string baseModelNameOrPath)
    {
        string named = baseModelNameOrPath.Trim().TrimEnd('/', '\\');
        string lastPart = named[(named.LastIndexOfAny(['/', '\\']) + 1)..];
        var usable = models.Where(m => m.Config is not null).ToList();
        var byFolder = usable.Where(m => string.Equals(m.Folder, named, StringComparison.Ordinal)).ToList();
        return byFolder.Count > 0 ? byFolder : usable.Where(m => string.Equals(m.Name, lastPart, StringComparison.OrdinalIgnoreCase)).ToList();
    }
}
