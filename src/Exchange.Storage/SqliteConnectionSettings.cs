using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Exchange.Storage;

/// <summary>
/// Per-connection SQLite settings, applied whenever a connection opens (SQLite keeps them per
/// connection, not in the file). A bigger page cache keeps the indexes of a growing database in
/// memory instead of re-reading them on every insert and lookup; automatic checkpoints are off
/// because <see cref="SqliteWalCheckpointer"/> runs them outside the commits.
/// </summary>
internal sealed class SqliteConnectionSettings : DbConnectionInterceptor
{
    // 64 MiB of page cache per connection (negative: KiB); synchronous FULL so that every committed
    // provision-log entry survives a power loss, not only a crash of the hub.
    private const string Pragmas = "PRAGMA cache_size = -65536; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 0;";

    public static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }
}
