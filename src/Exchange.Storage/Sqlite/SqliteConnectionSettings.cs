using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Exchange.Storage.Sqlite;

/// <summary>What a connection is opened for; SQLite keeps its settings per connection.</summary>
internal enum ConnectionRole
{
    /// <summary>EF's connections, which the provision log's writer and every batch write use: a large page cache.</summary>
    General,

    /// <summary>The leased connections for the per-call reads: a small page cache.</summary>
    Reader,
}

/// <summary>
/// Per-connection SQLite settings, applied whenever a connection opens (SQLite keeps them per
/// connection, not in the file). Automatic checkpoints are off because
/// <see cref="SqliteWalCheckpointer"/> runs them outside the commits.
/// </summary>
/// <remarks>
/// A connection drops its whole page cache whenever another connection has committed since its
/// last read: the provision log's group commits and every batch write. A large cache pays on a
/// connection that writes, whose cache stays valid across its own commits; a reading connection's
/// cache is emptied often, and emptying costs more the
/// larger the cache is.
/// </remarks>
internal sealed class SqliteConnectionSettings : DbConnectionInterceptor
{
    // All of SQLite's memory in this process, in bytes: 128 MiB, twice the writer's cache.
    private const long SoftHeapLimit = 134_217_728;

    // synchronous FULL: every commit is on disk before SQLite returns, so a committed provision-log
    // entry survives a power loss, not only a crash of the hub. Cache sizes in KiB (hence negative).
    // The soft heap limit is the process's, not the connection's: each pooled connection's cache
    // would otherwise fill to its size as the file outgrows it, and near the limit SQLite reuses a
    // cache's own pages instead of allocating more.
    public static void Apply(DbConnection connection, ConnectionRole role = ConnectionRole.General)
    {
        var cacheKiB = role == ConnectionRole.Reader ? 2_048 : 65_536;
        using var command = connection.CreateCommand();
        command.CommandText = string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"PRAGMA cache_size = -{cacheKiB}; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 0; PRAGMA soft_heap_limit = {SoftHeapLimit};");
        command.ExecuteNonQuery();
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }
}
