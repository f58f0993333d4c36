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

    public string RunFolder(int runId) => Path.Combine(Runs, runId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    public string CheckpointsFolder(int runId) => Path.Combine(RunFolder(runId), "checkpoints");
    public string RunLog(int runId) => Path.Combine(Logs, $"run-{runId}.log");
    public string AdapterFolderOfRun(int runId) => Path.Combine(Adapters, $"run-{runId}");

    /// <summary>Creates the folders the studio writes into (models/ is the user's to fill, but its absence would confuse them).</summary>
    public void Create()
    {
        foreach (string folder in new[] { Root, Datasets, Models, Adapters, Runs, Logs })
            Directory.CreateDirectory(folder);
    }
}
