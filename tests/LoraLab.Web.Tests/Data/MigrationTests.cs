using LoraLab.Web.Accounts;
using LoraLab.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

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
             "AspNetUsers", "AuditEntries", "BaseModels", "Checkpoints", "Datasets", "Evaluations", "PlaygroundSessions", "PlaygroundVotes", "RunMetrics", "Runs", "Sweeps"],
            tables.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Upgrading_a_database_from_before_accounts_gives_its_records_to_the_local_account_and_keeps_models_the_teams()
    {
        var options = new DbContextOptionsBuilder<LoraLabDbContext>().UseSqlite($"Data Source={Path.Combine(_data.Path, "loralab.db")}").Options;
        using (var before = new LoraLabDbContext(options))
        {
            before.GetService<IMigrator>().Migrate("PlaygroundVotes");
            foreach (string row in (string[])
            [
                "INSERT INTO BaseModels (Id, Name, Folder, Source, CreatedAt) VALUES (1, 'm', '/models/m', 'Local', '2026-01-01 00:00:00')",
                "INSERT INTO Datasets (Id, Name, Format, FilePath, SizeBytes, CreatedAt) VALUES (1, 'd', 'jsonl', '/datasets/1-d.jsonl', 10, '2026-01-01 00:00:00')",
                "INSERT INTO Runs (Id, Name, BaseModelId, DatasetId, MethodKind, ConfigurationJson, Status, Owner, CreatedAt) VALUES (1, 'r', 1, 1, 'lora', '{{}}', 'Completed', 'local', '2026-01-01 00:00:00')",
                "INSERT INTO Adapters (Id, Name, RunId, BaseModelId, Method, Folder, SizeBytes, CreatedAt, Origin) VALUES (1, 'a', 1, 1, 'lora', '/adapters/run-1', 20, '2026-01-01 00:00:00', NULL), (2, 'i', NULL, 1, 'lora', '/adapters/adapter-2', 30, '2026-01-01 00:00:00', 'imported from i.zip')",
                "INSERT INTO PlaygroundSessions (Id, Name, PayloadJson, CreatedAt) VALUES (1, 's', '{{}}', '2026-01-01 00:00:00')",
                "INSERT INTO PlaygroundVotes (Id, BaseModelId, AdapterAId, AdapterBId, Choice, Prompt, AnswerA, AnswerB, CreatedAt) VALUES (1, 1, 1, NULL, 'A', 'p', 'x', 'y', '2026-01-01 00:00:00')",
            ])
                before.Database.ExecuteSqlRaw(row); // braces doubled: the text is a format string
        }

        using var db = TestDatabase.Create(_data.Path).CreateDbContext();

        Assert.Equal(db.Database.GetMigrations(), db.Database.GetAppliedMigrations());
        Assert.Equal([(LocalUser.Id, false)], db.Datasets.Select(d => ValueTuple.Create(d.Owner, d.Shared)).ToList());
        Assert.Equal([LocalUser.Id, LocalUser.Id], db.Adapters.OrderBy(a => a.Id).Select(a => a.Owner).ToList());
        Assert.Equal("imported from i.zip", db.Adapters.Single(a => a.Id == 2).Origin);
        Assert.Equal([LocalUser.Id], db.Runs.Select(r => r.Owner).ToList());
        Assert.Equal([LocalUser.Id], db.PlaygroundSessions.Select(s => s.Owner).ToList());
        Assert.Equal([LocalUser.Id], db.PlaygroundVotes.Select(v => v.Voter).ToList());
        Assert.Equal([((string?)null, (long?)null)], db.BaseModels.Select(m => ValueTuple.Create(m.Owner, m.SizeBytes)).ToList());
        Assert.Equal([StudioRoles.Admin], db.UserRoles.Where(r => r.UserId == LocalUser.Id).Select(r => r.RoleId).ToList());
        Assert.Empty(db.Database.SqlQueryRaw<string>("SELECT \"table\" AS Value FROM pragma_foreign_key_check").ToList());
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
