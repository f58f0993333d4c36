using LoraLab.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LoraLab.Web.Tests.Data;

public sealed class SqliteDurabilityTests : IDisposable
{
    readonly TempDataFolder _data = new();

    [Fact]
    public async Task Every_connection_of_the_app_writes_ahead_and_syncs_each_commit_whatever_it_was_left_with()
    {
        await using var app = new StudioAppFactory(_data);
        app.CreateClient();
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<LoraLabDbContext>>().CreateDbContextAsync();
        // A pooled connection keeps its settings when it is closed and opened again; the studio's must not depend on that.
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous=OFF;");
        await db.Database.CloseConnectionAsync();

        await db.Database.OpenConnectionAsync();

        // PRAGMA synchronous reads back as a number: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
        Assert.Equal(2, await db.Database.SqlQueryRaw<int>("PRAGMA synchronous").ToAsyncEnumerable().SingleAsync());
        Assert.Equal("wal", await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToAsyncEnumerable().SingleAsync());
    }

    public void Dispose() => _data.Dispose();
}
