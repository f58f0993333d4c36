namespace LoraLab.Web.Accounts;

/// <summary>The 401 the API and the hub answer instead of redirecting to the sign-in page, as ProblemDetails.</summary>
public static class Unauthorized
{
    /// <summary>Where SignalR hubs are mapped: their clients authenticate like scripts.</summary>
    public const string HubsPrefix = "/hubs";

    public const string SignInOrToken = "Sign in, or send a personal access token as 'Authorization: Bearer <token>'.";

    /// <summary>The OpenAI API's clients read OpenAI's error body, so its 401 comes in that shape.</summary>
    public static Task WriteAsync(HttpContext context, string detail) => context.Request.Path.StartsWithSegments(Apis.OpenAiApi.Prefix)
        ? new Serving.OpenAiError(StatusCodes.Status401Unauthorized, $"No valid API key: {detail} The API keys are personal access tokens (Account → Access tokens).",
            "invalid_request_error", null, "invalid_api_key").ToResult().ExecuteAsync(context)
        : WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Not signed in", detail);

    public static Task WriteForbiddenAsync(HttpContext context) =>
        WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Not allowed", "Your account's role does not allow this request.");

    static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>Requests that get 401 rather than a redirect: scripts and SignalR clients cannot follow one to a form.</summary>
    public static bool IsForScripts(HttpRequest request) =>
        request.Path.StartsWithSegments(Apis.ApiProblems.Prefix) || request.Path.StartsWithSegments(Apis.OpenAiApi.Prefix) || request.Path.StartsWithSegments(HubsPrefix);
}
