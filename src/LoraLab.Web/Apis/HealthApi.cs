namespace LoraLab.Web.Apis;

public static class HealthApi
{
    /// <summary>
    /// Liveness for container health checks and reverse proxies: answers as soon as the app serves requests, without
    /// signing in (it tells nothing but "ok").
    /// </summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => TypedResults.Text("ok")).AllowAnonymous();
        return app;
    }
}
