using LoraLab.Web.Accounts;
using LoraLab.Web.Models;
using LoraLab.Web.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoraLab.Web.Apis;

public static class ModelsApi
{
    /// <summary>
    /// The base models and their Hub downloads. Everyone reads them; only admins delete models and start, resume,
    /// cancel or discard downloads, as base models are the team's.
    /// </summary>
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{ApiProblems.Prefix}/models").WithTags("Models");
        api.MapGet("/", ListModels);
        api.MapGet("/{modelId:int}", GetModel);
        api.MapGet("/{modelId:int}/download", DownloadModel);
        api.MapDelete("/{modelId:int}", DeleteModel);

        var downloads = api.MapGroup("/downloads");
        downloads.MapGet("/", ListDownloads);
        downloads.MapPost("/", StartDownload);
        downloads.MapGet("/{downloadId:int}", GetDownload);
        downloads.MapPost("/{downloadId:int}/cancel", CancelDownload);
        downloads.MapPost("/{downloadId:int}/resume", ResumeDownload);
        downloads.MapDelete("/{downloadId:int}", DiscardDownload);
        return app;
    }

    /// <summary>Reads the model folders again first, so a model copied in since start-up is listed.</summary>
    static async Task<Ok<List<ModelSummary>>> ListModels(ModelRegistry models, CancellationToken cancellation) =>
        TypedResults.Ok((await models.SyncAsync(cancellation)).Select(ModelSummary.From).ToList());

    static async Task<Results<Ok<ModelSummary>, ProblemHttpResult>> GetModel(int modelId, ModelRegistry models, CancellationToken cancellation) =>
        await models.FindAsync(modelId, cancellation) is { } model ? TypedResults.Ok(ModelSummary.From(model)) : ApiProblems.NotFound("Model", modelId);

    /// <summary>The model folder as {name}.zip, files at the root (config.json, *.safetensors, tokenizer): a merged adapter's checkpoint, for example.</summary>
    static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadModel(int modelId, ModelRegistry models, CancellationToken cancellation)
    {
        if (await models.FindAsync(modelId, cancellation) is not { } model) return ApiProblems.NotFound("Model", modelId);
        if (!Directory.Exists(model.Folder))
            return TypedResults.Problem($"The folder of model {modelId} ('{model.Name}') is missing from the server; an admin can see where on its page.",
                statusCode: StatusCodes.Status404NotFound, title: "Model files not found");
        return TypedResults.File(await FolderZip.OpenAsync(model.Folder, cancellation), "application/zip", $"{model.Name}.zip");
    }

    /// <summary>Deletes the record, and the folder when it is inside {DataPath}/models; 409 while runs or adapters use the model.</summary>
    static async Task<Results<Ok<ModelSummary>, ProblemHttpResult>> DeleteModel(int modelId, ModelRegistry models, Caller caller, CancellationToken cancellation)
    {
        var deleted = await models.DeleteAsync(modelId, caller, cancellation);
        return deleted.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(ModelSummary.From(deleted.Value!));
    }

    static Ok<IReadOnlyList<HubDownloadSummary>> ListDownloads(HubDownloads downloads) => TypedResults.Ok(downloads.List());

    static Results<Ok<HubDownloadSummary>, ProblemHttpResult> GetDownload(int downloadId, HubDownloads downloads) =>
        downloads.Find(downloadId) is { } download ? TypedResults.Ok(download) : ApiProblems.NotFound("Download", downloadId);

    /// <summary>
    /// {"repoId": "owner/name", "revision": "main"}: checked with the Hub before it is queued, so an unknown or gated
    /// repository, one without safetensors or with an unsupported architecture is a 400 naming the field; 202 with the
    /// download to poll at its Location otherwise.
    /// </summary>
    static async Task<Results<Accepted<HubDownloadSummary>, ProblemHttpResult>> StartDownload(
        HubDownloadRequest request, HubDownloads downloads, Caller caller, CancellationToken cancellation) =>
        Accepted(await downloads.StartAsync(request.RepoId, request.Revision, caller, cancellation));

    static Results<Ok<HubDownloadSummary>, ProblemHttpResult> CancelDownload(int downloadId, HubDownloads downloads, Caller caller)
    {
        var cancelled = downloads.Cancel(downloadId, caller);
        return cancelled.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(cancelled.Value!);
    }

    /// <summary>Starts a failed, cancelled or interrupted download again, from the parts already on disk.</summary>
    static async Task<Results<Accepted<HubDownloadSummary>, ProblemHttpResult>> ResumeDownload(
        int downloadId, HubDownloads downloads, Caller caller, CancellationToken cancellation) =>
        Accepted(await downloads.ResumeAsync(downloadId, caller, cancellation));

    /// <summary>Forgets a download that is not running and deletes its partial files.</summary>
    static Results<Ok<HubDownloadSummary>, ProblemHttpResult> DiscardDownload(int downloadId, HubDownloads downloads, Caller caller)
    {
        var discarded = downloads.Discard(downloadId, caller);
        return discarded.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(discarded.Value!);
    }

    static Results<Accepted<HubDownloadSummary>, ProblemHttpResult> Accepted(Result<HubDownloadSummary> started) =>
        started.Failure is { } failure ? failure.ToProblem() : TypedResults.Accepted($"{ApiProblems.Prefix}/models/downloads/{started.Value!.Id}", started.Value);
}
