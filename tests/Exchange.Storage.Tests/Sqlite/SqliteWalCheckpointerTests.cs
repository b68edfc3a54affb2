using Exchange.Storage.Sqlite;
using Exchange.Storage.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Exchange.Storage.Tests.Sqlite;

/// <summary>The write-ahead log's checkpoints on a real SQLite file, with readers that never all stop at once.</summary>
public sealed class SqliteWalCheckpointerTests() : StorageTest(DatabaseProvider.Sqlite)
{
    private const int ReadersAtOnce = 3;
    private static readonly TimeSpan ReadTransaction = TimeSpan.FromMilliseconds(30);

    [Fact]
    public async Task Write_ahead_log_past_its_limit_is_emptied_while_readers_keep_reading()
    {
        var checkpointer = Storage.Services.GetServices<IHostedService>().OfType<SqliteWalCheckpointer>().Single();
        checkpointer.MaxLogPages = 64;
        // Kept open: the last connection to close would empty the log itself.
        using var writer = Open();
        Execute(writer, "PRAGMA wal_autocheckpoint = 0; CREATE TABLE filler (data BLOB)");
        for (var i = 0; i < 300; i++)
        {
            Execute(writer, "INSERT INTO filler VALUES (randomblob(4096))");
        }

        var wal = new FileInfo(Storage.DatabaseFile + "-wal");
        Assert.True(wal.Length > 64 * 4096, "the inserts went to the write-ahead log, past the limit");
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, ReadersAtOnce).Select(i => Task.Run(() => Read(i, stop.Token), Ct)).ToArray();
        try
        {
            // Every reader has taken a snapshot by now, and each holds one most of the time, staggered.
            await Task.Delay(ReadTransaction * 3, Ct);

            var left = await checkpointer.CheckpointAsync(Ct);

            Assert.Equal(0, left);
            wal.Refresh();
            Assert.Equal(0, wal.Length);
            Assert.All(readers, r => Assert.False(r.IsCompleted, "the readers were still reading"));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(readers);
        }
    }

    // One read transaction after another, each holding its snapshot for a while, the first started a third of the way into the previous reader's.
    private void Read(int index, CancellationToken stop)
    {
        Thread.Sleep(ReadTransaction / ReadersAtOnce * index);
        using var connection = Open();
        while (!stop.IsCancellationRequested)
        {
            using var transaction = connection.BeginTransaction(deferred: true);
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM filler";
            count.ExecuteScalar();
            Thread.Sleep(ReadTransaction);
            transaction.Commit();
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Storage.DatabaseFile, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
