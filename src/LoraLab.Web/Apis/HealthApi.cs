namespace LoraLab.Web.Apis;

public static class HealthApi
{
    /// <summary>Liveness for container health checks and reverse proxies: answers as soon as the app serves requests.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => TypedResults.Text("ok"));
        return app;
    }
}
