using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Models;
using LoraLab.Web.Storage;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Adapters;

/// <summary>What an import may say besides the adapter itself: its name, and its base when adapter_config.json's does not match.</summary>
public sealed record AdapterImportOptions(string? Name = null, int? BaseModelId = null);

/// <summary>
/// Brings PEFT adapters made elsewhere into the library, from an uploaded zip or a folder on this host (copied, so the
/// original stays untouched). An adapter is registered only once it has loaded onto its base model, which checks every
/// tensor's name and shape; the base is the one asked for, or the registered model that adapter_config.json's
/// base_model_name_or_path names (by folder, or by the last part of a hub id). An imported adapter belongs to the
/// caller and counts against their storage quota; only admins import from folders, as a path names any file on the host.
/// </summary>
public sealed class AdapterImporter(
    AdapterStore adapters, ModelRegistry models, DataFolder data, AdapterWork work, Quotas quotas, ComputeDevice device, IOptions<LoraLabOptions> options)
{
    public const int MaxNameLength = 200;

    public long MaxUploadBytes => options.Value.MaxAdapterUploadBytes;

    /// <summary>A zip of a PEFT adapter folder: its files at the root, or in one folder at the root.</summary>
    public async Task<Result<AdapterSummary>> ImportZipAsync(
        string fileName, Stream content, AdapterImportOptions request, Caller caller, IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        fileName = UploadFileName.Sanitize(fileName, "adapter");
        if (!fileName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            return Failure.InvalidField("file", $"'{fileName}' is not a .zip file: zip the adapter folder (adapter_config.json and adapter_model.safetensors).");
        if (await quotas.CheckStorageAsync(caller, 0, cancellation) is { } full) return full;
        string scratch = data.NewScratchFolder("import");
        try
        {
            string zip = Path.Combine(scratch, "upload.zip");
            if (await DataFiles.CopyWithLimitAsync(content, zip, MaxUploadBytes, cancellation) > MaxUploadBytes)
                return new Failure(FailureKind.TooLarge, "The zip is too large",
                    $"'{fileName}' is larger than the {MaxUploadBytes:N0} bytes an adapter upload may have (setting LoraLab:MaxAdapterUploadBytes).");
            progress?.Report($"Unpacking {fileName}");
            var unpacked = await ZipExtraction.ExtractAsync(zip, fileName, Path.Combine(scratch, "files"), MaxUploadBytes, cancellation);
            if (unpacked.Failure is { } failure) return failure;
            var root = AdapterRoot(unpacked.Value!, fileName);
            if (root.Failure is { } noAdapter) return noAdapter;
            return await CheckAndAddAsync(root.Value!, fileName, "file", request.Name ?? Path.GetFileNameWithoutExtension(fileName), request.BaseModelId, caller, progress, cancellation);
        }
        finally
        {
            DataFiles.Delete(scratch);
        }
    }

    /// <summary>A PEFT adapter folder on this host; its top-level files are copied into the library. Admins only.</summary>
    public async Task<Result<AdapterSummary>> ImportFolderAsync(
        string? folder, AdapterImportOptions request, Caller caller, IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        if (!caller.IsAdmin)
            return Failure.Forbidden("Admins only", "Only admins import adapters from folders on the studio's host; upload the adapter as a zip instead.");
        if (string.IsNullOrWhiteSpace(folder)) return Failure.InvalidField("folder", "Give the path of an adapter folder on this host.");
        string source = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder.Trim()));
        if (!Directory.Exists(source)) return Failure.InvalidField("folder", $"{source} does not exist or is not a folder.");
        if (!File.Exists(Path.Combine(source, AdapterFolder.ConfigFile)))
            return Failure.InvalidField("folder", $"{source} has no {AdapterFolder.ConfigFile}, so it is not a PEFT adapter folder.");
        if (await quotas.CheckStorageAsync(caller, 0, cancellation) is { } full) return full;
        string scratch = data.NewScratchFolder("import");
        try
        {
            string copy = Path.Combine(scratch, "files");
            Directory.CreateDirectory(copy);
            foreach (string file in Directory.EnumerateFiles(source))
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            return await CheckAndAddAsync(copy, source, "folder", request.Name ?? Path.GetFileName(source), request.BaseModelId, caller, progress, cancellation);
        }
        finally
        {
            DataFiles.Delete(scratch);
        }
    }

    /// <param name="staged">The adapter's files in the scratch folder; moved into adapters/ when they fit.</param>
    /// <param name="shownAs">What messages call the adapter instead of the scratch path: the zip's name or the original folder.</param>
    /// <param name="field">The request field that carried the adapter, named by validation errors.</param>
    async Task<Result<AdapterSummary>> CheckAndAddAsync(
        string staged, string shownAs, string field, string name, int? baseModelId, Caller caller, IProgress<string>? progress, CancellationToken cancellation)
    {
        name = name.Trim();
        if (name.Length is 0 or > MaxNameLength) return Failure.InvalidField("name", $"The name must have 1 to {MaxNameLength} characters, not {name.Length}.");
        string Shown(string message) => message.Replace(staged, shownAs, StringComparison.Ordinal);
        try
        {
            AdapterFolder.PeftType(staged);
        }
        catch (PeftConfigException e)
        {
            return Failure.InvalidField(field, Shown(e.Message));
        }
        var config = AdapterConfigFile.Read(staged)!;
        var baseModel = await ResolveBaseAsync(baseModelId, config, cancellation);
        if (baseModel.Failure is { } noBase) return noBase;
        var model = baseModel.Value!;

        progress?.Report($"Loading {model.Name} to check the adapter's shapes");
        var problem = await work.RunAsync(() => LoadOnto(model.Folder, staged),
            () => progress?.Report("Waiting for another adapter job to finish"), cancellation);
        if (problem is { } p)
            return Failure.Invalid($"The adapter does not fit {model.Name}", new Dictionary<string, string[]> { [p.Field ?? field] = [Shown(p.Message)] });

        progress?.Report("Registering the adapter");
        return await adapters.AddAsync(staged, name, model.Id, $"imported from {shownAs}", data.LibraryAdapterFolder, caller, AuditAction.AdapterImported, cancellation);
    }

    /// <summary>Null when the adapter loads onto the base; otherwise the field at fault (null: the adapter's) and why.</summary>
    (string? Field, string Message)? LoadOnto(string baseFolder, string adapterFolder)
    {
        CausalLM lm;
        try
        {
            lm = PretrainedModel.Load(baseFolder, device);
        }
        catch (Exception e) when (e is ModelConfigException or CheckpointFormatException or IOException)
        {
            return ("baseModelId", $"The base model in {baseFolder} could not be loaded: {e.Message}");
        }
        using (lm)
        {
            try
            {
                AdapterFiles.Load(lm, adapterFolder);
                return null;
            }
            catch (Exception e) when (e is PeftConfigException or AdapterMismatchException or CheckpointFormatException or IOException or ArgumentException or InvalidOperationException)
            {
                return (null, e.Message);
            }
        }
    }

    async Task<Result<RegisteredModel>> ResolveBaseAsync(int? baseModelId, AdapterConfigFile config, CancellationToken cancellation)
    {
        if (baseModelId is { } id)
        {
            var chosen = await models.FindAsync(id, cancellation);
            if (chosen is null) return Failure.InvalidField("baseModelId", $"There is no model with id {id}.");
            return chosen.Error is { } error ? Failure.InvalidField("baseModelId", $"Model '{chosen.Name}' cannot be used: {error}") : chosen;
        }
        if (config.BaseModelNameOrPath is not { Length: > 0 } named)
            return Failure.InvalidField("baseModelId", "adapter_config.json does not name its base model (base_model_name_or_path); choose the base model.");
        var matches = BaseModelMatch.Find(await models.ListAsync(cancellation), named);
        return matches.Count switch
        {
            1 => matches[0],
            0 => Failure.InvalidField("baseModelId", $"adapter_config.json names the base model '{named}', which matches no registered model; choose the base model."),
            _ => Failure.InvalidField("baseModelId", $"adapter_config.json names the base model '{named}', which matches {string.Join(", ", matches.Select(m => $"'{m.Name}' (id {m.Id})"))}; choose one."),
        };
    }

    /// <summary>The folder holding adapter_config.json: the zip's root, or its only folder that has one.</summary>
    static Result<string> AdapterRoot(string unpacked, string zipName)
    {
        if (File.Exists(Path.Combine(unpacked, AdapterFolder.ConfigFile))) return unpacked;
        var candidates = Directory.EnumerateDirectories(unpacked).Where(d => File.Exists(Path.Combine(d, AdapterFolder.ConfigFile))).Order(StringComparer.Ordinal).ToList();
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => Failure.InvalidField("file", $"'{zipName}' holds no {AdapterFolder.ConfigFile}, neither at its root nor in a folder at its root."),
            _ => Failure.InvalidField("file", $"'{zipName}' holds several adapters ({string.Join(", ", candidates.Select(Path.GetFileName))}); import them one at a time."),
        };
    }
}
