using System.Text.RegularExpressions;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Models;
using LoraLab.Web.Storage;

namespace LoraLab.Web.Adapters;

/// <summary>
/// Folds a LoRA or DoRA adapter into its base and writes the result as a full Hugging Face checkpoint in
/// models/{name}, with the base's tokenizer files, registered as a new base model (PEFT's merge_and_unload). The
/// adapter's owner and admins merge it; the model belongs to whoever merged it and counts against their storage quota.
/// </summary>
public sealed partial class AdapterMerger(
    AdapterStore adapters, ModelRegistry models, DataFolder data, AdapterWork work, Quotas quotas, AuditLog audit, ComputeDevice device)
{
    /// <summary>The folder name a merge gets when none is given: base and adapter names, made safe.</summary>
    public static string DefaultName(AdapterSummary adapter)
    {
        string name = UnsafeChars().Replace($"{adapter.BaseModelName}-{adapter.Name}-merged", "-").TrimStart('.', '-');
        return name.Length <= 100 ? name : name[^100..].TrimStart('.', '-');
    }

    /// <summary>Merges adapter <paramref name="adapterId"/> into a new model folder <paramref name="modelName"/> (or <see cref="DefaultName"/>).</summary>
    public async Task<Result<RegisteredModel>> MergeAsync(
        int adapterId, string? modelName, Caller caller, IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        if (await adapters.FindAsync(adapterId, cancellation) is not { } adapter) return Failure.NotFound("Adapter", adapterId);
        if (!caller.CanChange(adapter.Owner))
            return Failure.Forbidden("The adapter is not yours",
                $"Adapter {adapterId} ('{adapter.Name}') belongs to '{adapter.OwnerName}'; only they and admins can merge it into a new base model.");
        if (AdapterConfigFile.Read(adapter.Folder) is not { Spec.Merges: true })
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
        if (await quotas.CheckStorageAsync(caller, 0, cancellation) is { } full) return full;

        string scratch = data.NewScratchFolder("merge");
        try
        {
            string output = Path.Combine(scratch, name);
            string? error = await work.RunAsync(() => Export(baseModel.Folder, adapter.Folder, output, progress),
                () => progress?.Report("Waiting for another adapter job to finish"), cancellation);
            if (error is not null) return new Failure(FailureKind.Invalid, "The merge failed", error);
            long size = DataFiles.FolderSize(output);
            if (await quotas.CheckStorageAsync(caller, size, cancellation) is { } tooLarge) return tooLarge;
            progress?.Report("Registering the merged model");
            var merged = await models.RegisterMergedAsync(output, target, caller.UserId, size, cancellation);
            if (merged.Value is { } model)
                await audit.RecordAsync(caller, AuditAction.AdapterMerged, $"{AdapterStore.Subject(adapter.Id, adapter.Name)} into model {model.Id} '{model.Name}'", CancellationToken.None);
            return merged;
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
