using System.Data.Common;
using Npgsql;

namespace Exchange.Storage.Postgres;

/// <summary>
/// The provision-log chain's lock on PostgreSQL: a transaction-scoped advisory lock, taken by the
/// transaction that appends before it reads the chain's head and released by its commit or
/// rollback. Every hub instance sharing the server takes the same lock, so appends are serialised
/// across instances and the chain stays one gapless sequence in commit order. (On SQLite the
/// database's own write lock, taken when the transaction begins, does this.)
/// </summary>
internal static class PostgresChainLock
{
    // Any fixed 64-bit key: "exchange" in ASCII (0x65786368616e6765).
    private const string Sql = "SELECT pg_advisory_xact_lock(7311703294998374245)";

    /// <summary>Takes the lock in <paramref name="transaction"/> when it is a PostgreSQL transaction; does nothing otherwise.</summary>
    public static async Task TakeAsync(DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (transaction.Connection is NpgsqlConnection connection)
        {
            await using var command = new NpgsqlCommand(Sql, connection, (NpgsqlTransaction)transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="TakeAsync"/>
    public static void Take(DbTransaction transaction)
    {
        if (transaction.Connection is NpgsqlConnection connection)
        {
            using var command = new NpgsqlCommand(Sql, connection, (NpgsqlTransaction)transaction);
            command.ExecuteNonQuery();
        }
    }
}
