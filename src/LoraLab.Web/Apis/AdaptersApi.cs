using LoraLab.Web.Accounts;
using LoraLab.Web.Adapters;
using LoraLab.Web.Data.Entities;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoraLab.Web.Apis;

public static class AdaptersApi
{
    public static IEndpointRouteBuilder MapAdaptersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{ApiProblems.Prefix}/adapters").WithTags("Adapters");
        api.MapGet("/", ListAdapters);
        api.MapGet("/{adapterId:int}", GetAdapter);
        api.MapGet("/{adapterId:int}/download", DownloadAdapter);
        api.MapDelete("/{adapterId:int}", DeleteAdapter);
        return app;
    }

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
            return TypedResults.Problem($"The folder of adapter {adapterId} ('{adapter.Name}') is missing: {adapter.Folder}.",
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
}
