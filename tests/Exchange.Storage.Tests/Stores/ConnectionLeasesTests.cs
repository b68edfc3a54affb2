using System.Globalization;
using Exchange.Storage.Stores;
using Exchange.Storage.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Stores;

/// <summary>The leased connections on a real SQLite file: settings by role, and the log writer's own connection.</summary>
public sealed class ConnectionLeasesTests() : StorageTest(DatabaseProvider.Sqlite)
{
    private ConnectionLeases Leases => Storage.Services.GetRequiredService<ConnectionLeases>();

    [Fact]
    public async Task Reading_connections_keep_a_small_page_cache_and_the_log_writer_a_large_one_both_flushing_every_commit()
    {
        var reader = await Leases.RunAsync(lease => Task.FromResult(Settings(lease)), TestContext.Current.CancellationToken);
        var writer = Leases.RunWriter(Settings);

        // cache_size in KiB when negative; synchronous 2 is FULL.
        Assert.Equal((-2048L, 2L), reader);
        Assert.Equal((-65536L, 2L), writer);
    }

    [Fact]
    public void Log_writer_keeps_its_connection_between_commits_and_opens_another_after_a_failure()
    {
        var first = Leases.RunWriter(lease => lease.Connection);
        Assert.Same(first, Leases.RunWriter(lease => lease.Connection));

        Assert.Throws<SqliteException>(() => Leases.RunWriter(lease => Execute(lease, "SELECT * FROM no_such_table")));

        var after = Leases.RunWriter(lease => lease.Connection);
        Assert.NotSame(first, after);
        Assert.Equal(System.Data.ConnectionState.Open, after.State);
    }

    private static (long CacheSize, long Synchronous) Settings(ConnectionLease lease) =>
        (Execute(lease, "PRAGMA cache_size"), Execute(lease, "PRAGMA synchronous"));

    private static long Execute(ConnectionLease lease, string sql)
    {
        using var command = lease.Connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
    }
}
