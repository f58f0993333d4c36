using System.Text.RegularExpressions;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Web.Models;
using LoraLab.Web.Storage;

namespace LoraLab.Web.Adapters;

/// <summary>
/// Folds a LoRA or DoRA adapter into its base and writes the result as a full Hugging Face checkpoint in
/// models/{name}, with the base's tokenizer files, registered as a new base model (PEFT's merge_and_unload).
/// </summary>
public sealed partial class AdapterMerger(AdapterStore adapters, ModelRegistry models, DataFolder data, AdapterWork work, ComputeDevice device)
{
    /// <summary>The folder name a merge gets when none is given: base and adapter names, made safe.</summary>
    public static string DefaultName(AdapterSummary adapter)
    {
        string name = UnsafeChars().Replace($"{adapter.BaseModelName}-{adapter.Name}-merged", "-").TrimStart('.', '-');
        return name.Length <= 100 ? name : name[^100..].TrimStart('.', '-');
    }

    /// <summary>Merges adapter <paramref name="adapterId"/> into a new model folder <paramref name="modelName"/> (or <see cref="DefaultName"/>).</summary>
    public async Task<Result<RegisteredModel>> MergeAsync(int adapterId, string? modelName, IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        if (await adapters.FindAsync(adapterId, cancellation) is not { } adapter) return Failure.NotFound("Adapter", adapterId);
        if (AdapterConfigFile.Read(adapter.Folder) is not { IsLora: true })
            return new Failure(FailureKind.Invalid, "Only LoRA adapters merge",
                $"Adapter {adapterId} ('{adapter.Name}') is a {adapter.Method} adapter; only LoRA and DoRA adapters fold into the base weights.");
        string name = string.IsNullOrWhiteSpace(modelName) ? DefaultName(adapter) : modelName.Trim();
        if (name.Length > 100 || !FolderName().IsMatch(name))
            return Failure.InvalidField("name", $"'{name}' cannot name a model folder: use up to 100 letters, digits, '.', '-' and '_', not starting with '.'.");
        string target = Path.Combine(data.Models, name);
        if (Path.Exists(target)) return Failure.InvalidField("name", $"{target} already exists; choose another name.");
        var baseModel = (await models.FindAsync(adapter.BaseModelId, cancellation))!;
        if (baseModel.Error is { } unusable)
            return new Failure(FailureKind.Invalid, "The base model cannot be used", $"Model '{baseModel.Name}' cannot be loaded: {unusable}");

        string scratch = data.NewScratchFolder("merge");
        try
        {
            string output = Path.Combine(scratch, name);
            string? error = await work.RunAsync(() => Export(baseModel.Folder, adapter.Folder, output, progress),
                () => progress?.Report("Waiting for another adapter job to finish"), cancellation);
            if (error is not null) return new Failure(FailureKind.Invalid, "The merge failed", error);
            if (Path.Exists(target)) return Failure.InvalidField("name", $"{target} appeared while merging; choose another name.");
            Directory.Move(output, target);
            progress?.Report("Registering the merged model");
            return (await models.SyncAsync(cancellation)).Single(m => m.Folder == target);
        }
        finally
        {
            DataFiles.Delete(scratch);
        }
    }

    string? Export(string baseFolder, string adapterFolder, string output, IProgress<string>? progress)
    {
        try
        {
            LoraMerge.ExportMerged(baseFolder, adapterFolder, output, device, progress);
            return null;
        }
        catch (Exception e) when (e is ModelConfigException or CheckpointFormatException or PeftConfigException or AdapterMismatchException or IOException or ArgumentException or InvalidOperationException)
        {
            return e.Message;
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]*$")]
    private static partial Regex FolderName();

    [GeneratedRegex(@"[^A-Za-z0-9_.\-]+")]
    private static partial Regex UnsafeChars();
}
