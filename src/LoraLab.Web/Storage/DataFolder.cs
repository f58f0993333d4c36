using Microsoft.Extensions.Options;

namespace LoraLab.Web.Storage;

/// <summary>The absolute paths of the data folder's parts; the layout is described on <see cref="LoraLabOptions"/>.</summary>
public sealed class DataFolder
{
    public DataFolder(IOptions<LoraLabOptions> options) : this(options.Value.DataPath) { }

    public DataFolder(string dataPath) => Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataPath));

    public string Root { get; }
    public string Database => Path.Combine(Root, "loralab.db");
    public string Datasets => Path.Combine(Root, "datasets");
    public string Models => Path.Combine(Root, "models");
    public string Adapters => Path.Combine(Root, "adapters");
    public string Runs => Path.Combine(Root, "runs");
    public string Logs => Path.Combine(Root, "logs");
    public string Keys => Path.Combine(Root, "keys");
    /// <summary>Half-done imports, merges and combinations, moved into place once complete; emptied at start-up.</summary>
    public string Scratch => Path.Combine(Root, "tmp");
    public string Downloads => Path.Combine(Root, "downloads");
    /// <summary>GGUF exports of an adapter, kept for download: exports/adapter-{id}/{file}.zip.</summary>
    public string ExportsOfAdapter(int adapterId) => Path.Combine(Root, "exports", $"adapter-{adapterId.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    public string RunFolder(int runId) => Path.Combine(Runs, runId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    public string CheckpointsFolder(int runId) => Path.Combine(RunFolder(runId), "checkpoints");
    public string RunLog(int runId) => Path.Combine(Logs, $"run-{runId}.log");
    public string AdapterFolderOfRun(int runId) => Path.Combine(Adapters, $"run-{runId}");
    /// <summary>The folder of an adapter that no run produced: imported or combined.</summary>
    public string LibraryAdapterFolder(int adapterId) => Path.Combine(Adapters, $"adapter-{adapterId.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    /// <summary>A new, empty folder under <see cref="Scratch"/> for work that is moved into place when it succeeds.</summary>
    public string NewScratchFolder(string purpose)
    {
        string folder = Path.Combine(Scratch, $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>
    /// Creates the folders the studio writes into (models/ is the user's to fill, but its absence would confuse them),
    /// and empties tmp/ of what a previous process left half done.
    /// </summary>
    public void Create()
    {
        DataFiles.Delete(Scratch);
        foreach (string folder in new[] { Root, Datasets, Models, Adapters, Runs, Logs, Scratch })
            Directory.CreateDirectory(folder);
    }
}
