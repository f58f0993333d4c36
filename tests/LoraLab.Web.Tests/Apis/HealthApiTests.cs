using System.Net;
using System.Net.Http.Json;
using LoraLab.Web.Apis;
using LoraLab.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Apis;

public sealed class HealthApiTests : IAsyncLifetime
{
    readonly TempDataFolder _data = new();
    StudioAppFactory _app = null!;

    public Task InitializeAsync()
    {
        _app = new StudioAppFactory(_data);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_studio_with_its_database_migrated_is_healthy()
    {
        var response = await _app.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<HealthApi.HealthReport>(TestJson.Options))!;
        Assert.Equal(("healthy", "ok"), (report.Status, report.Database));
    }

    [Fact]
    public async Task A_database_missing_a_migration_makes_the_studio_unhealthy_with_503_naming_it()
    {
        var client = _app.CreateClient();
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<LoraLabDbContext>>().CreateDbContextAsync())
        {
            string last = db.Database.GetMigrations().Last();
            await db.Database.ExecuteSqlAsync($"DELETE FROM __EFMigrationsHistory WHERE MigrationId = {last}");
        }

        var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<HealthApi.HealthReport>(TestJson.Options))!;
        Assert.Equal("unhealthy", report.Status);
        Assert.StartsWith("1 migration(s) not applied: ", report.Database);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _data.Dispose();
    }
}
