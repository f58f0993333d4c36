using LoraLab.Web.Adapters;
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

    /// <summary>The adapter folder as {name}.zip, files at the root in PEFT layout.</summary>
    static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadAdapter(int adapterId, AdapterStore adapters, CancellationToken cancellation)
    {
        if (await adapters.FindAsync(adapterId, cancellation) is not { } adapter) return ApiProblems.NotFound("Adapter", adapterId);
        if (!Directory.Exists(adapter.Folder))
            return TypedResults.Problem($"The folder of adapter {adapterId} ('{adapter.Name}') is missing: {adapter.Folder}.",
                statusCode: StatusCodes.Status404NotFound, title: "Adapter files not found");
        return TypedResults.File(await AdapterStore.OpenZipAsync(adapter, cancellation), "application/zip", $"{adapter.Name}.zip");
    }

    static async Task<Results<Ok<AdapterSummary>, ProblemHttpResult>> DeleteAdapter(int adapterId, AdapterStore adapters, CancellationToken cancellation)
    {
        var deleted = await adapters.DeleteAsync(adapterId, cancellation);
        return deleted.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(deleted.Value!);
    }
}
