using System.Text.Json.Serialization;

namespace LoraLab.Web.Serving;

/// <summary>
/// An error as OpenAI's API returns it, <c>{"error": {"message", "type", "param", "code"}}</c>, with its HTTP status:
/// OpenAI clients read these fields (the .NET client puts the message in its exception), not ProblemDetails.
/// </summary>
public sealed record OpenAiError([property: JsonIgnore] int Status, string Message, string Type, string? Param, string? Code)
{
    public static OpenAiError Invalid(string? param, string message, string? code = null) => new(400, message, "invalid_request_error", param, code);

    public static OpenAiError ModelNotFound(string model) =>
        new(404, $"The model '{model}' does not exist: GET /v1/models lists the base models and adapters served here.", "invalid_request_error", "model", "model_not_found");

    public static OpenAiError Server(string message) => new(500, message, "server_error", null, null);

    public IResult ToResult() => TypedResults.Json(new Body(this), statusCode: Status);

    public sealed record Body(OpenAiError Error);
}
