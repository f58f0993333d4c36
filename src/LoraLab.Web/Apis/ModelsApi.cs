using LoraLab.Web.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoraLab.Web.Apis;

public static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{ApiProblems.Prefix}/models").WithTags("Models");
        api.MapGet("/", ListModels);
        api.MapGet("/{modelId:int}", GetModel);
        return app;
    }

    /// <summary>Reads the model folders again first, so a model copied in since start-up is listed.</summary>
    static async Task<Ok<List<ModelSummary>>> ListModels(ModelRegistry models, CancellationToken cancellation) =>
        TypedResults.Ok((await models.SyncAsync(cancellation)).Select(ModelSummary.From).ToList());

    static async Task<Results<Ok<ModelSummary>, ProblemHttpResult>> GetModel(int modelId, ModelRegistry models, CancellationToken cancellation) =>
        await models.FindAsync(modelId, cancellation) is { } model ? TypedResults.Ok(ModelSummary.From(model)) : ApiProblems.NotFound("Model", modelId);
}
