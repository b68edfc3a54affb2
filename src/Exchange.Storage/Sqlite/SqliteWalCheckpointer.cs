using Exchange.Storage.Stores;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Exchange.Storage.Sqlite;

/// <summary>
/// Copies the SQLite write-ahead log into the database file in the background. Left to SQLite, the
/// commit that crosses 1,000 log pages does it (and flushes the database file) while holding the
/// hub's write gate, stalling every call waiting behind it; here it runs beside the writers.
/// Connections have automatic checkpoints turned off (<see cref="SqliteConnectionSettings"/>).
/// </summary>
/// <remarks>
/// SQLite starts the log over only when no reader still reads from it. Under steady load some
/// reader always does, so a checkpoint that never waits copies the pages but leaves the log to grow
/// without end. Past <see cref="MaxLogPages"/> a TRUNCATE checkpoint therefore waits, in SQLite's
/// busy handler, for the readers of the moment to finish (readers that start meanwhile read the
/// database file and do not hold it back), holding the <see cref="WriteGate"/> so that no writer of
/// the hub waits inside SQLite behind it. The wait is bounded, and doubles after each round that
/// could not empty the log, so that reads longer than it cannot keep the log growing.
/// </remarks>
internal sealed partial class SqliteWalCheckpointer(ConnectionLeases leases, WriteGate gate, StorageSettings settings, TimeProvider time, ILogger<SqliteWalCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FirstReaderWait = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestReaderWait = TimeSpan.FromSeconds(2);
    private TimeSpan _readerWait = FirstReaderWait;

    private bool IsSqlite => settings.Provider == DatabaseProvider.Sqlite;

    /// <summary>The log's size, in 4 KiB pages, past which it is emptied while readers read: 64 MiB.</summary>
    internal long MaxLogPages { get; set; } = 16_384;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!IsSqlite)
        {
            return;
        }

        // Leaves a database file that holds everything, with an empty log beside it.
        try
        {
            await gate.HoldAsync(() => Checkpoint("TRUNCATE", LongestReaderWait), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping ran out of time behind a writer: SQLite copies the log on the next start.
        }
    }

    /// <summary>One round: copies what it can; past <see cref="MaxLogPages"/>, empties the log. Returns the pages left in it.</summary>
    internal async Task<long> CheckpointAsync(CancellationToken cancellationToken)
    {
        // PASSIVE never waits for readers or writers: it copies what it can now.
        var (_, pages) = Checkpoint("PASSIVE", TimeSpan.Zero);
        if (pages <= MaxLogPages)
        {
            return pages;
        }

        var (busy, left) = await gate.HoldAsync(() => Checkpoint("TRUNCATE", _readerWait), cancellationToken).ConfigureAwait(false);
        if (busy)
        {
            LogNotEmptied(logger, pages, _readerWait.TotalMilliseconds);
            _readerWait = TimeSpan.FromTicks(Math.Min(_readerWait.Ticks * 2, LongestReaderWait.Ticks));
        }
        else
        {
            _readerWait = FirstReaderWait;
        }

        return left;
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
            await CheckpointAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    // Whether readers or a writer kept it from finishing, and the pages in the log afterwards
    // ((false, 0) when it failed). Microsoft.Data.Sqlite sets no busy handler of its own, so without
    // one a checkpoint that has to wait for readers gives up at once.
    private (bool Busy, long Pages) Checkpoint(string mode, TimeSpan readerWait)
    {
        try
        {
            return leases.Run(lease =>
            {
                using var command = lease.Connection.CreateCommand();
                command.CommandText = FormattableString.Invariant($"PRAGMA busy_timeout = {(long)readerWait.TotalMilliseconds}");
                command.ExecuteNonQuery();
                try
                {
                    command.CommandText = $"PRAGMA wal_checkpoint({mode})";
                    using var reader = command.ExecuteReader();
                    return reader.Read() ? (reader.GetInt64(0) != 0, reader.GetInt64(1)) : (false, 0L);
                }
                finally
                {
                    // The lease goes back to the readers, which wait in Microsoft.Data.Sqlite's own retries.
                    command.CommandText = "PRAGMA busy_timeout = 0";
                    command.ExecuteNonQuery();
                }
            });
        }
        catch (Exception e)
        {
            CheckpointFailed(logger, e, mode);
            return (false, 0);
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "The {Mode} checkpoint of the SQLite write-ahead log failed; the next one retries")]
    private static partial void CheckpointFailed(ILogger logger, Exception exception, string mode);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "The SQLite write-ahead log ({Pages} pages) could not be emptied: readers held it longer than {WaitMs} ms; the next round waits longer")]
    private static partial void LogNotEmptied(ILogger logger, long pages, double waitMs);
}
