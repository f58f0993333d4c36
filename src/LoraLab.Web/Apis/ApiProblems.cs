using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoraLab.Web.Apis;

/// <summary>How API errors become ProblemDetails: failures of the studio's services, unreadable requests, and anything else under /api.</summary>
public static class ApiProblems
{
    public const string Prefix = "/api";

    public static ProblemHttpResult ToProblem(this Failure failure) => failure.FieldErrors is { } errors
        ? TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary()) { Status = StatusCodes.Status400BadRequest, Title = failure.Title, Detail = failure.Detail })
        : TypedResults.Problem(failure.Detail, statusCode: StatusOf(failure.Kind), title: failure.Title);

    public static ProblemHttpResult NotFound(string what, int id) => Failure.NotFound(what, id).ToProblem();

    static int StatusOf(FailureKind kind) => kind switch
    {
        FailureKind.NotFound => StatusCodes.Status404NotFound,
        FailureKind.Conflict => StatusCodes.Status409Conflict,
        FailureKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        FailureKind.Forbidden => StatusCodes.Status403Forbidden,
        // A service the studio depends on (the Hugging Face Hub) failed or could not be reached.
        FailureKind.Unavailable => StatusCodes.Status502BadGateway,
        _ => StatusCodes.Status400BadRequest,
    };

    static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments(Prefix);

    /// <summary>
    /// Under /api, exceptions and bodiless error statuses (an unknown route, a method not allowed) are answered with
    /// ProblemDetails instead of the pages' error and not-found pages. Call after the pages' handlers, so this runs first.
    /// </summary>
    public static IApplicationBuilder UseApiProblemDetails(this IApplicationBuilder app) =>
        app.UseWhen(IsApi, api =>
        {
            api.UseExceptionHandler(new ExceptionHandlerOptions
            {
                StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            });
            api.UseStatusCodePages();
        });

    /// <summary>Says what was wrong with a request the API could not read (malformed JSON, a wrong type), rather than a bare 400.</summary>
    public sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad || !IsApi(context)) return false;
            context.Response.StatusCode = bad.StatusCode;
            string detail = bad.InnerException is { } inner ? $"{bad.Message} {inner.Message}" : bad.Message;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                Exception = exception,
                ProblemDetails = { Status = bad.StatusCode, Title = "The request could not be read", Detail = detail },
            });
        }
    }
}
