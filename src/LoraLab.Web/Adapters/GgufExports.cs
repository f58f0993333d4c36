using System.Text.RegularExpressions;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Export.Gguf;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Models;
using LoraLab.Web.Storage;

namespace LoraLab.Web.Adapters;

/// <summary>What a GGUF export of an adapter holds: the base with the adapter merged in, or the adapter alone as a llama.cpp adapter file.</summary>
public enum GgufExportKind { Merged, AdapterFile }

/// <summary>A finished export: a zip of the GGUF file and its Ollama Modelfile, downloadable by <see cref="FileName"/>.</summary>
public sealed record GgufExport(int AdapterId, string FileName, long Bytes, string DownloadUrl);

/// <summary>
/// The adapter page's and the API's "export to GGUF": the engine's exporters (checked against llama.cpp in the
/// engine's tests) run on the adapter-work thread, and their file and Modelfile are zipped under
/// exports/adapter-{id}/. An export of the same kind and type replaces the previous one.
/// </summary>
public sealed partial class GgufExports(AdapterStore adapters, ModelRegistry models, DataFolder data, AdapterWork work, Quotas quotas, AuditLog audit)
{
    public static string FileNameFor(AdapterSummary adapter, GgufExportKind kind, GgufFileType type) =>
        UnsafeChars().Replace(kind == GgufExportKind.Merged ? $"{adapter.BaseModelName}-{adapter.Name}-{type.Name()}" : $"{adapter.Name}-lora-adapter", "-")
            .TrimStart('.', '-') + ".zip";

    public async Task<Result<GgufExport>> ExportAsync(int adapterId, GgufExportKind kind, GgufFileType type, Caller caller,
        IProgress<GgufExportProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (await adapters.FindAsync(adapterId, cancellation) is not { } adapter) return Failure.NotFound("Adapter", adapterId);
        var baseModel = (await models.FindAsync(adapter.BaseModelId, cancellation))!;
        if (baseModel.Error is { } unusable)
            return new Failure(FailureKind.Invalid, "The base model cannot be used", $"Model '{baseModel.Name}' cannot be loaded: {unusable}");
        if (await quotas.CheckStorageAsync(caller, 0, cancellation) is { } full) return full;

        string scratch = data.NewScratchFolder("gguf");
        try
        {
            string gguf = Path.Combine(scratch, Path.ChangeExtension(FileNameFor(adapter, kind, type), ".gguf"));
            string? error = await work.RunAsync(() => Write(kind, type, baseModel, adapter.Folder, gguf, progress, cancellation),
                () => progress?.Report(new("Waiting for another adapter job to finish", 0, 0)), cancellation);
            if (error is not null) return new Failure(FailureKind.Invalid, "The export failed", error);

            string folder = data.ExportsOfAdapter(adapterId);
            Directory.CreateDirectory(folder);
            string zip = Path.Combine(folder, FileNameFor(adapter, kind, type));
            progress?.Report(new("Zipping the file and its Modelfile", 0, 0));
            ExportBundle.Zip(zip, [gguf, OllamaModelfile.PathFor(gguf)]);
            long bytes = new FileInfo(zip).Length;
            await audit.RecordAsync(caller, AuditAction.AdapterExported,
                $"{AdapterStore.Subject(adapter.Id, adapter.Name)} as GGUF ({(kind == GgufExportKind.Merged ? $"merged, {type.Name()}" : "adapter file")})", CancellationToken.None);
            return new GgufExport(adapterId, Path.GetFileName(zip), bytes, DownloadUrl(adapterId, Path.GetFileName(zip)));
        }
        finally
        {
            DataFiles.Delete(scratch);
        }
    }

    /// <summary>The zip of an earlier export, or null when there is none by that name.</summary>
    public string? Find(int adapterId, string fileName)
    {
        if (fileName != Path.GetFileName(fileName) || !fileName.EndsWith(".zip", StringComparison.Ordinal)) return null;
        string path = Path.Combine(data.ExportsOfAdapter(adapterId), fileName);
        return File.Exists(path) ? path : null;
    }

    public static string DownloadUrl(int adapterId, string fileName) => $"/api/adapters/{adapterId}/gguf/{Uri.EscapeDataString(fileName)}";

    static string? Write(GgufExportKind kind, GgufFileType type, RegisteredModel baseModel, string adapterFolder, string gguf,
        IProgress<GgufExportProgress>? progress, CancellationToken cancellation)
    {
        try
        {
            if (kind == GgufExportKind.Merged) GgufModelExporter.Export(baseModel.Folder, adapterFolder, type, gguf, progress, cancellation);
            else GgufAdapterExporter.Export(baseModel.Folder, adapterFolder, gguf, $"{baseModel.Name}.gguf", progress, cancellation);
            return null;
        }
        catch (Exception e) when (e is NotSupportedException or ModelConfigException or CheckpointFormatException or PeftConfigException
            or AdapterMismatchException or InvalidDataException or IOException or ArgumentException or InvalidOperationException)
        {
            return e.Message;
        }
    }

    [GeneratedRegex(@"[^A-Za-z0-9_.\-]+")]
    private static partial Regex UnsafeChars();
}
