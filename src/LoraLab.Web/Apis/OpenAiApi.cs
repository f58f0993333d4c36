using LoraLab.Web.Accounts;
using LoraLab.Web.Serving;

namespace LoraLab.Web.Apis;

/// <summary>
/// OpenAI's API over the studio's base models and adapters, for any OpenAI client: the model list, chat completions
/// and text completions, streamed or not. In team mode the API key is a personal access token and usage counts
/// against its owner; in single-user mode any key (or none) is accepted.
/// </summary>
public static class OpenAiApi
{
    public const string Prefix = "/v1";

    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix).WithTags("OpenAI").DisableAntiforgery();
        api.MapGet("/models", ListModels);
        api.MapPost("/chat/completions", (HttpContext http, CompletionResponder responder, Caller caller) => responder.RespondAsync(http, CompletionKind.Chat, caller));
        api.MapPost("/completions", (HttpContext http, CompletionResponder responder, Caller caller) => responder.RespondAsync(http, CompletionKind.Text, caller));
        return app;
    }

    /// <summary>Every base model, and every adapter with its base as <c>parent</c>.</summary>
    static async Task<IResult> ListModels(ServedModelCatalog catalog, TimeProvider clock, CancellationToken cancellation) =>
        TypedResults.Json(OpenAiJson.Models(await catalog.ListAsync(cancellation), clock.GetUtcNow().ToUnixTimeSeconds()));
}
