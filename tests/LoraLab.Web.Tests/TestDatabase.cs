using LoraLab.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace LoraLab.Web.Tests;

/// <summary>The studio's SQLite database in a test's data folder, migrated as the app does at start-up.</summary>
public static class TestDatabase
{
    public static IDbContextFactory<LoraLabDbContext> Create(string dataPath, params IInterceptor[] interceptors)
    {
        var options = new DbContextOptionsBuilder<LoraLabDbContext>()
            .UseSqlite($"Data Source={Path.Combine(dataPath, "loralab.db")}")
            .AddInterceptors(interceptors)
            .Options;
        var factory = new PooledDbContextFactory<LoraLabDbContext>(options);
        using var db = factory.CreateDbContext();
        db.Database.Migrate();
        return factory;
    }
}
