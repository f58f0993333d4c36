using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LoraLab.Web.Data;

/// <summary>
/// How the studio's SQLite database survives crashes. The journal is a write-ahead log (journal_mode=WAL, stored in the
/// database file and set at start-up), so pages read while a run's metrics are written. Every connection commits with
/// synchronous=FULL, which syncs the log to disk at each commit: a committed row then survives a power cut or a kernel
/// crash, not only a killed process (for which SQLite's default already suffices, as the committed pages sit in the
/// operating system's cache). The cost is one fsync per commit, and the studio commits rarely: run metrics once a
/// second in batches, plus once per checkpoint, upload and status change.
/// </summary>
public sealed class SqliteDurability : DbConnectionInterceptor
{
    public const string JournalMode = "PRAGMA journal_mode=WAL;";
    const string Synchronous = "PRAGMA synchronous=FULL;";

    public static SqliteDurability Instance { get; } = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Synchronous;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Synchronous;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
