using LoraLab.Engine.Models;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Models;

/// <summary>
/// The base models the studio can fine-tune: every sub-folder of {DataPath}/models that holds a config.json,
/// and every folder listed in LoraLab:ModelFolders. The folders are read on each call, so a model copied in
/// while the app runs appears on the next page load.
/// </summary>
public sealed class ModelRegistry(IOptions<LoraLabOptions> options)
{
    public string ModelsFolder { get; } = Path.GetFullPath(Path.Combine(options.Value.DataPath, "models"));

    public IReadOnlyList<RegisteredModel> List()
    {
        // Configured folders are listed even without a config.json: the user named them, so say what is wrong.
        var folders = ModelFoldersUnder(ModelsFolder)
            .Concat(options.Value.ModelFolders.Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f))))
            .Distinct(StringComparer.Ordinal);
        return folders.Select(Read).OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase).ThenBy(m => m.Folder, StringComparer.Ordinal).ToList();
    }

    static IEnumerable<string> ModelFoldersUnder(string root) =>
        Directory.Exists(root)
            ? Directory.EnumerateDirectories(root).Where(folder => File.Exists(Path.Combine(folder, "config.json")))
            : [];

    static RegisteredModel Read(string folder)
    {
        string name = Path.GetFileName(folder);
        try
        {
            return new RegisteredModel(name, folder, ModelConfig.Load(folder), null);
        }
        catch (Exception e) when (e is ModelConfigException or IOException or UnauthorizedAccessException)
        {
            return new RegisteredModel(name, folder, null, e.Message);
        }
    }
}
