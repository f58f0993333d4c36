using LoraLab.Web.Models;
using LoraLab.Web.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoraLab.Web.Apis;

public static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{ApiProblems.Prefix}/models").WithTags("Models");
        api.MapGet("/", ListModels);
        api.MapGet("/{modelId:int}", GetModel);
        api.MapGet("/{modelId:int}/download", DownloadModel);
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
            return TypedResults.Problem($"The folder of model {modelId} ('{model.Name}') is missing: {model.Folder}.",
                statusCode: StatusCodes.Status404NotFound, title: "Model files not found");
        return TypedResults.File(await FolderZip.OpenAsync(model.Folder, cancellation), "application/zip", $"{model.Name}.zip");
    }
}
