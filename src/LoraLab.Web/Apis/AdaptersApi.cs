using System.Globalization;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Web.Accounts;
using LoraLab.Web.Adapters;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoraLab.Web.Apis;

public static class AdaptersApi
{
    /// <summary>More digits than any model id has; a longer baseModelId field is refused as it stands, not read on.</summary>
    const int MaxIdLength = 20;

    public static IEndpointRouteBuilder MapAdaptersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{ApiProblems.Prefix}/adapters").WithTags("Adapters");
        api.MapGet("/", ListAdapters);
        api.MapGet("/{adapterId:int}", GetAdapter);
        api.MapGet("/{adapterId:int}/download", DownloadAdapter);
        api.MapDelete("/{adapterId:int}", DeleteAdapter);
        api.MapPost("/import", ImportZip);
        api.MapPost("/import-folder", ImportFolder);
        api.MapPost("/combine", Combine);
        api.MapPost("/{adapterId:int}/merge", Merge);
        api.MapGet("/{adapterId:int}/spectrum", GetSpectrum);
        api.MapPost("/{adapterId:int}/gguf", ExportGguf);
        api.MapGet("/{adapterId:int}/gguf/{fileName}", DownloadGguf);
        return app;
    }

    /// <summary>A PEFT adapter folder on this host to copy into the library.</summary>
    public sealed record ImportFolderRequest(string? Folder, string? Name = null, int? BaseModelId = null);

    /// <summary>The folder name under models/ for the merged model; derived from the base and adapter names when null.</summary>
    public sealed record MergeRequest(string? Name = null);

    static async Task<Ok<IReadOnlyList<AdapterSummary>>> ListAdapters(AdapterStore adapters, CancellationToken cancellation) =>
        TypedResults.Ok(await adapters.ListAsync(cancellation));

    static async Task<Results<Ok<AdapterSummary>, ProblemHttpResult>> GetAdapter(int adapterId, AdapterStore adapters, CancellationToken cancellation) =>
        await adapters.FindAsync(adapterId, cancellation) is { } adapter ? TypedResults.Ok(adapter) : ApiProblems.NotFound("Adapter", adapterId);

    /// <summary>The adapter folder as {name}.zip, files at the root in PEFT layout; every download is audited.</summary>
    static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadAdapter(
        int adapterId, AdapterStore adapters, Caller caller, AuditLog audit, CancellationToken cancellation)
    {
        if (await adapters.FindAsync(adapterId, cancellation) is not { } adapter) return ApiProblems.NotFound("Adapter", adapterId);
        if (!Directory.Exists(adapter.Folder))
            return TypedResults.Problem($"The folder of adapter {adapterId} ('{adapter.Name}') is missing from the server's data folder; an admin can see where on its page.",
                statusCode: StatusCodes.Status404NotFound, title: "Adapter files not found");
        var zip = await AdapterStore.OpenZipAsync(adapter, cancellation);
        await audit.RecordAsync(caller, AuditAction.AdapterDownloaded, AdapterStore.Subject(adapter.Id, adapter.Name), cancellation);
        return TypedResults.File(zip, "application/zip", $"{adapter.Name}.zip");
    }

    static async Task<Results<Ok<AdapterSummary>, ProblemHttpResult>> DeleteAdapter(int adapterId, AdapterStore adapters, Caller caller, CancellationToken cancellation)
    {
        var deleted = await adapters.DeleteAsync(adapterId, caller, cancellation);
        return deleted.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(deleted.Value!);
    }

    /// <summary>
    /// multipart/form-data with a "file" part (the zip) and, before it, optional "name" and "baseModelId" fields. The
    /// zip is streamed to disk as it arrives and cut off at LoraLab:MaxAdapterUploadBytes.
    /// </summary>
    static async Task<Results<Created<AdapterSummary>, ProblemHttpResult>> ImportZip(
        HttpRequest request, AdapterImporter importer, Caller caller, CancellationToken cancellation)
    {
        var upload = await MultipartUpload.ReadAsync(request, importer.MaxUploadBytes,
            new Dictionary<string, int> { ["name"] = AdapterImporter.MaxNameLength, ["baseModelId"] = MaxIdLength }, cancellation);
        if (upload is null) return Failure.InvalidField("file", "Upload the adapter as multipart/form-data with the zip in a part named \"file\".").ToProblem();
        if (upload.Fields.GetValueOrDefault("name") is { Length: > AdapterImporter.MaxNameLength })
            return Failure.InvalidField("name", $"The name has more than {AdapterImporter.MaxNameLength} characters; at most {AdapterImporter.MaxNameLength} are allowed.").ToProblem();
        if (upload.File is null) return Failure.InvalidField("file", "The upload has no file part: send the zip in a part named \"file\".").ToProblem();
        var baseModelId = ParseBaseModelId(upload.Fields);
        if (baseModelId.Failure is { } invalid) return invalid.ToProblem();
        var imported = await importer.ImportZipAsync(upload.FileName, upload.File, new AdapterImportOptions(upload.Fields.GetValueOrDefault("name"), baseModelId.Value), caller, cancellation: cancellation);
        return Created(imported);
    }

    static Result<int?> ParseBaseModelId(IReadOnlyDictionary<string, string> fields) =>
        !fields.TryGetValue("baseModelId", out string? text) || string.IsNullOrWhiteSpace(text) ? new Result<int?>(null, null)
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int id) ? id
        : Failure.InvalidField("baseModelId", $"baseModelId must be a model id, not '{text}'.");

    /// <summary>A folder on the studio's host: admins only, as a path names any file the studio can read.</summary>
    static async Task<Results<Created<AdapterSummary>, ProblemHttpResult>> ImportFolder(
        ImportFolderRequest request, AdapterImporter importer, Caller caller, CancellationToken cancellation) =>
        Created(await importer.ImportFolderAsync(request.Folder, new AdapterImportOptions(request.Name, request.BaseModelId), caller, cancellation: cancellation));

    /// <summary>A new adapter from weighted LoRA adapters of one base; 400 names the rule a request breaks.</summary>
    static async Task<Results<Created<AdapterSummary>, ProblemHttpResult>> Combine(
        AdapterCombination request, AdapterCombiner combiner, Caller caller, CancellationToken cancellation) =>
        Created(await combiner.CombineAsync(request, caller, cancellation: cancellation));

    /// <summary>
    /// Merges the adapter into its base, writes models/{name} and registers it, owned by the caller; answers when the
    /// checkpoint is written. The adapter's owner and admins only.
    /// </summary>
    static async Task<Results<Created<ModelSummary>, ProblemHttpResult>> Merge(
        int adapterId, MergeRequest? request, AdapterMerger merger, Caller caller, CancellationToken cancellation)
    {
        var merged = await merger.MergeAsync(adapterId, request?.Name, caller, cancellation: cancellation);
        return merged.Failure is { } failure
            ? failure.ToProblem()
            : TypedResults.Created($"{ApiProblems.Prefix}/models/{merged.Value!.Id}", ModelSummary.From(merged.Value));
    }

    /// <summary>
    /// What to export: <c>kind</c> "merged" (the base with the adapter folded in, at <c>type</c> f32 … q4_k_m) or
    /// "adapter" (a llama.cpp LoRA adapter file for the base's own GGUF).
    /// </summary>
    public sealed record GgufExportRequest(string? Kind = null, string? Type = null);

    static async Task<Results<Created<GgufExport>, ProblemHttpResult>> ExportGguf(
        int adapterId, GgufExportRequest? request, GgufExports exports, Caller caller, CancellationToken cancellation)
    {
        var kind = (request?.Kind ?? "merged").Trim().ToLowerInvariant() switch
        {
            "merged" => GgufExportKind.Merged,
            "adapter" => (GgufExportKind?)GgufExportKind.AdapterFile,
            _ => null,
        };
        if (kind is null) return Failure.InvalidField("kind", $"'{request!.Kind}' is not a kind of GGUF export; use \"merged\" or \"adapter\".").ToProblem();
        Engine.Export.Gguf.GgufFileType type;
        try
        {
            type = Engine.Export.Gguf.GgufFileTypes.Parse(request?.Type ?? "f16");
        }
        catch (ArgumentException e)
        {
            return Failure.InvalidField("type", e.Message).ToProblem();
        }
        var export = await exports.ExportAsync(adapterId, kind.Value, type, caller, cancellation: cancellation);
        return export.Failure is { } failure ? failure.ToProblem() : TypedResults.Created(export.Value!.DownloadUrl, export.Value);
    }

    static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> DownloadGguf(
        int adapterId, string fileName, GgufExports exports, AdapterStore adapters, Caller caller, AuditLog audit, CancellationToken cancellation)
    {
        if (await adapters.FindAsync(adapterId, cancellation) is not { } adapter) return ApiProblems.NotFound("Adapter", adapterId);
        if (exports.Find(adapterId, fileName) is not { } path)
            return TypedResults.Problem($"Adapter {adapterId} ('{adapter.Name}') has no GGUF export named '{fileName}'; export it first.",
                statusCode: StatusCodes.Status404NotFound, title: "Export not found");
        await audit.RecordAsync(caller, AuditAction.AdapterDownloaded, $"{AdapterStore.Subject(adapter.Id, adapter.Name)}: {fileName}", cancellation);
        return TypedResults.PhysicalFile(path, "application/zip", fileName, enableRangeProcessing: true);
    }

    static async Task<Results<Ok<AdapterSpectrum>, ProblemHttpResult>> GetSpectrum(int adapterId, AdapterSpectra spectra, CancellationToken cancellation)
    {
        var spectrum = await spectra.ReadAsync(adapterId, cancellation);
        return spectrum.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(spectrum.Value!);
    }

    static Results<Created<AdapterSummary>, ProblemHttpResult> Created(Result<AdapterSummary> added) =>
        added.Failure is { } failure ? failure.ToProblem() : TypedResults.Created($"{ApiProblems.Prefix}/adapters/{added.Value!.Id}", added.Value);
}
