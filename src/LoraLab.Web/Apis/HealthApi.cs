using System.Data.Common;
using LoraLab.Web.Data;
using LoraLab.Web.Devices;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Apis;

public static class HealthApi
{
    /// <summary>What /health answers: "healthy" or "unhealthy", the database's state, and each device with its memory.</summary>
    public sealed record HealthReport(string Status, string Database, IReadOnlyList<DeviceHealth> Devices);

    /// <summary>A device as /health shows it, without the runs on it (which GET /api/devices lists).</summary>
    public sealed record DeviceHealth(string Name, DeviceMemoryReading? Memory);

    /// <summary>
    /// Readiness for container health checks and reverse proxies: 200 when the database answers with every migration
    /// applied, 503 naming what is wrong otherwise. The devices were checked at start-up, which stops on an unusable one.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", CheckAsync);
        return app;
    }

    static async Task<IResult> CheckAsync(IDbContextFactory<LoraLabDbContext> dbFactory, TrainingDevices devices, CancellationToken cancellation)
    {
        string database = await DatabaseStateAsync(dbFactory, cancellation);
        bool healthy = database == "ok";
        var report = new HealthReport(healthy ? "healthy" : "unhealthy", database, devices.Status().Select(d => new DeviceHealth(d.Name, d.Memory)).ToList());
        return TypedResults.Json(report, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    static async Task<string> DatabaseStateAsync(IDbContextFactory<LoraLabDbContext> dbFactory, CancellationToken cancellation)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellation);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellation)).ToList();
            return pending.Count == 0 ? "ok" : $"{pending.Count} migration(s) not applied: {string.Join(", ", pending)}";
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException)
        {
            return $"unreachable: {e.Message}";
        }
    }
}
