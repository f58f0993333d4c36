using LoraLab.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Tests.Data;

public sealed class MigrationTests : IDisposable
{
    readonly TempDataFolder _data = new();

    [Fact]
    public void The_migrations_create_every_table_in_an_empty_database_and_match_the_model()
    {
        using var db = TestDatabase.Create(_data.Path).CreateDbContext();

        Assert.Equal(db.Database.GetMigrations(), db.Database.GetAppliedMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), "the model changed without a migration: run dotnet ef migrations add");
        var tables = db.Database.SqlQueryRaw<string>("SELECT name AS Value FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE '__EF%'").ToList();
        Assert.Equal(
            ["AccessTokens", "Adapters", "AspNetRoleClaims", "AspNetRoles", "AspNetUserClaims", "AspNetUserLogins", "AspNetUserRoles", "AspNetUserTokens",
             "AspNetUsers", "AuditEntries", "BaseModels", "Checkpoints", "Datasets", "PlaygroundSessions", "PlaygroundVotes", "RunMetrics", "Runs"],
            tables.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_app_database_is_loralab_db_in_the_data_folder()
    {
        using var app = new StudioAppFactory(_data);
        app.CreateClient();

        Assert.True(File.Exists(Path.Combine(_data.Path, "loralab.db")));
        Assert.All(new[] { "datasets", "models", "adapters", "runs", "logs" }, folder => Assert.True(Directory.Exists(Path.Combine(_data.Path, folder)), folder));
    }

    public void Dispose() => _data.Dispose();
}
