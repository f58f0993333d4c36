using System.Data.Common;
using LoraLab.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Apis;

public static class HealthApi
{
    /// <summary>What /health answers: "healthy" or "unhealthy", and the database's state.</summary>
    public sealed record HealthReport(string Status, string Database);

    /// <summary>
    /// Readiness for container health checks and reverse proxies, answered without signing in: 200 when the database
    /// answers with every migration applied, 503 naming what is wrong otherwise. It tells nothing about the data or the
    /// host: the devices are at GET /api/devices for signed-in users, and why the database is unreachable goes to the log.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", CheckAsync).AllowAnonymous();
        return app;
    }

    static async Task<IResult> CheckAsync(IDbContextFactory<LoraLabDbContext> dbFactory, ILoggerFactory loggers, CancellationToken cancellation)
    {
        string database = await DatabaseStateAsync(dbFactory, loggers, cancellation);
        bool healthy = database == "ok";
        return TypedResults.Json(new HealthReport(healthy ? "healthy" : "unhealthy", database),
            statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    static async Task<string> DatabaseStateAsync(IDbContextFactory<LoraLabDbContext> dbFactory, ILoggerFactory loggers, CancellationToken cancellation)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellation);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellation)).ToList();
            return pending.Count == 0 ? "ok" : $"{pending.Count} migration(s) not applied: {string.Join(", ", pending)}";
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException)
        {
            loggers.CreateLogger(typeof(HealthApi)).LogWarning(e, "Health check: the database is unreachable.");
            return "unreachable";
        }
    }
}
