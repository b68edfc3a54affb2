using Exchange.Storage.Stores;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Exchange.Storage.Sqlite;

/// <summary>
/// Copies the SQLite write-ahead log into the database file in the background. Left to SQLite, the
/// commit that crosses 1,000 log pages does it (and flushes the database file) while holding the
/// hub's write gate, stalling every call waiting behind it; here it runs beside the writers.
/// Connections have automatic checkpoints turned off (<see cref="SqliteConnectionSettings"/>).
/// Under steady load some reader always holds a snapshot inside the log, so the log is never
/// started over and would grow without end (measured: 1.2 GB 24 s into `make bench BENCH_ARGS="--only records"`); past
/// <see cref="MaxLogPages"/> a TRUNCATE checkpoint waits for the readers of the moment and empties it.
/// </summary>
internal sealed partial class SqliteWalCheckpointer(ConnectionLeases leases, StorageSettings settings, TimeProvider time, ILogger<SqliteWalCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    // 64 MiB of 4 KiB pages.
    private const long MaxLogPages = 16_384;

    private bool IsSqlite => settings.Provider == DatabaseProvider.Sqlite;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!IsSqlite)
        {
            return;
        }

        // Leaves a database file that holds everything, with an empty log beside it.
        Checkpoint("TRUNCATE");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsSqlite)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            // PASSIVE never waits for readers or writers: it copies what it can now.
            if (Checkpoint("PASSIVE") > MaxLogPages)
            {
                Checkpoint("TRUNCATE");
            }
        }
    }

    // The pages in the log afterwards (0 when unknown).
    private long Checkpoint(string mode)
    {
        try
        {
            return leases.Run(lease =>
            {
                using var command = lease.Connection.CreateCommand();
                command.CommandText = $"PRAGMA wal_checkpoint({mode})";
                using var reader = command.ExecuteReader();
                return reader.Read() ? reader.GetInt64(1) : 0;
            });
        }
        catch (Exception e)
        {
            CheckpointFailed(logger, e, mode);
            return 0;
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "The {Mode} checkpoint of the SQLite write-ahead log failed; the next one retries")]
    private static partial void CheckpointFailed(ILogger logger, Exception exception, string mode);
}
