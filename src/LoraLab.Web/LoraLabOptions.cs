namespace LoraLab.Web;

/// <summary>
/// The "LoraLab" configuration section (appsettings.json or environment variables such as LoraLab__DataPath).
/// </summary>
/// <remarks>
/// Everything the studio stores lives under <see cref="DataPath"/>:
/// <code>
/// {DataPath}/
///   loralab.db                      SQLite database: datasets, models, runs, metrics, checkpoints, adapters, playground sessions
///                                   and votes, evaluations, accounts, access tokens, audit log
///   datasets/{id}-{file name}       uploaded dataset files, one per Dataset record
///   models/{name}/                  base models in Hugging Face layout (config.json, tokenizer, *.safetensors), registered at start;
///                                   a merged adapter is exported here as a new base model
///   downloads/{name}/               Hub downloads under way or interrupted (*.incomplete parts); moved to models/{name}/ when complete
///   adapters/run-{runId}/           trained adapters in PEFT layout (adapter_config.json, adapter_model.safetensors)
///   adapters/adapter-{adapterId}/   imported and combined adapters, in the same layout
///   runs/{runId}/checkpoints/       a run's resumable checkpoints, one folder per saved step
///   logs/run-{runId}.log            a run's log lines
///   keys/                           ASP.NET Core data-protection keys (sign-in cookies, antiforgery tokens, password links)
///   tmp/                            imports, merges and combinations in progress; emptied at start-up
/// </code>
/// Deleting a record deletes its files; files no record refers to are reported at start-up.
/// </remarks>
public sealed record LoraLabOptions
{
    public const string Section = "LoraLab";

    /// <summary>Root of everything the studio stores; relative paths are resolved against the current directory.</summary>
    public string DataPath { get; init; } = "data";

    /// <summary>
    /// The devices runs train on: "auto" (every CUDA device when there is one, else the CPU), "cpu", "cuda" (every CUDA
    /// device), "cuda:N", or a comma-separated list such as "cuda:0,cuda:2". Each device takes the next run that fits it.
    /// </summary>
    public string Device { get; init; } = "auto";

    /// <summary>Model folders registered in addition to the sub-folders of {DataPath}/models.</summary>
    public IReadOnlyList<string> ModelFolders { get; init; } = [];

    /// <summary>Register the offline demo (model and task datasets) at start-up.</summary>
    public bool RegisterDemo { get; init; } = true;

    /// <summary>The demo model folder, registered with source "demo" when it exists; by default the one bundled with the app.</summary>
    public string? DemoModelPath { get; init; }

    /// <summary>A folder of demo task datasets (*.jsonl) registered once each; by default the ones bundled with the app.</summary>
    public string? DemoDatasetsPath { get; init; }

    /// <summary>
    /// A folder of trained demo adapters, one sub-folder per task in PEFT layout, imported once into the library on the
    /// demo model (as "demo {task}"); by default the ones bundled with the app.
    /// </summary>
    public string? DemoAdaptersPath { get; init; }

    /// <summary>The demo folders in use, or null when the demo is not registered.</summary>
    public string? DemoModelFolder => RegisterDemo ? DemoModelPath ?? Path.Combine(AppContext.BaseDirectory, "demo", "model") : null;

    public string? DemoDatasetsFolder => RegisterDemo ? DemoDatasetsPath ?? Path.Combine(AppContext.BaseDirectory, "demo", "datasets") : null;

    public string? DemoAdaptersFolder => RegisterDemo ? DemoAdaptersPath ?? Path.Combine(AppContext.BaseDirectory, "demo", "adapters") : null;

    /// <summary>Runs trained at the same time on each device (each must also fit in the device's free memory).</summary>
    public int TrainingConcurrency { get; init; } = 1;

    /// <summary>Queue the runs a crash or shutdown interrupted again at start-up, each from its last checkpoint.</summary>
    public bool AutoResumeInterrupted { get; init; }

    /// <summary>
    /// Nobody signs in: every request is the built-in local account, an admin (a personal machine). False for a team:
    /// every page, API endpoint and hub then requires a signed-in user or an access token (see LoraLab:Accounts).
    /// </summary>
    public bool SingleUser { get; init; } = true;
    /// <summary>The Hugging Face Hub models are downloaded from; when unset, the HF_ENDPOINT variable, else https://huggingface.co.</summary>
    public string? HubEndpoint { get; init; }

    /// <summary>The access token sent to the Hub (private and gated repositories need one); when unset, the HF_TOKEN variable.</summary>
    public string? HubToken { get; init; }

    /// <summary>The largest dataset file an upload may carry.</summary>
    public long MaxDatasetUploadBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>The largest adapter zip an import may carry, and the most its entries may unpack to.</summary>
    public long MaxAdapterUploadBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// Where runs train: "local" (in the studio's process, on <see cref="Device"/>) or "slurm" (each run one job of a Slurm
    /// cluster, with the settings of LoraLab:Slurm, see <see cref="Slurm.SlurmOptions"/>).
    /// </summary>
    public string Executor { get; init; } = "local";

    /// <summary>Records an evaluation answers when its request names no number: the first ones of the dataset that have an answer.</summary>
    public int EvaluationExamples { get; init; } = 64;
}
