using System.Data.Common;
using Exchange.Storage.Entities;
using Exchange.Storage.Postgres;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Exchange.Storage.Stores;

/// <summary>
/// Indexes the provision log by person in the background. Every <see cref="Interval"/> it adds the
/// entries appended since its last pass to <c>provision_log_subjects</c>, sorted by person, and moves
/// the watermark (<see cref="SubjectIndexStateRow"/>) on, in one transaction.
/// </summary>
/// <remarks>
/// Person IDs are keyed hashes, so an index kept with each commit lands every entry on a page of its
/// own: each commit of a batch of 500 records rewrote about 500 index pages. Sorted and a second's
/// worth at a time, entries share pages. A person's entries after the watermark are found by
/// scanning that short tail of the log (<see cref="ProvisionLogStore.ListForSubjectAsync"/>), in the
/// same statement, so a reader never misses an entry or sees one twice. On PostgreSQL the lookup is
/// an index on the log itself (<see cref="Postgres.PostgresExchangeDbContext"/>), and a pass only
/// moves the watermark, which verification compares with the chain's end.
/// </remarks>
internal sealed partial class ProvisionSubjectIndexer(ConnectionLeases leases, WriteGate gate, DatabaseReady ready, StorageSettings settings, TimeProvider time, ILogger<ProvisionSubjectIndexer> logger) : BackgroundService
{
    /// <summary>How often the entries appended since the last pass are indexed.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    // Bounds how long one pass holds the write gate; a pass that stops here is followed at once by another.
    private const int MaxEntriesPerPass = 65_536;

    private readonly FailureClock _indexing = new();

    private static readonly SqlText IndexedThroughSql = new(n =>
        $"SELECT {n.Column<SubjectIndexStateRow>(nameof(SubjectIndexStateRow.IndexedThrough))} FROM {n.Table<SubjectIndexStateRow>()} WHERE {n.Column<SubjectIndexStateRow>(nameof(SubjectIndexStateRow.Id))} = 1");

    private static readonly SqlText HeadSequenceSql = new(n =>
        $"SELECT MAX({n.Column<ProvisionEntryRow>(nameof(ProvisionEntryRow.Sequence))}) FROM {n.Table<ProvisionEntryRow>()}");

    private static readonly SqlText IndexSql = new(n =>
    {
        var (subject, sequence) = (n.Column<ProvisionEntryRow>(nameof(ProvisionEntryRow.SubjectId)), n.Column<ProvisionEntryRow>(nameof(ProvisionEntryRow.Sequence)));
        return $"INSERT INTO {n.Table<ProvisionSubjectRow>()} ({n.Column<ProvisionSubjectRow>(nameof(ProvisionSubjectRow.SubjectId))}, {n.Column<ProvisionSubjectRow>(nameof(ProvisionSubjectRow.Sequence))}) " +
            $"SELECT {subject}, {sequence} FROM {n.Table<ProvisionEntryRow>()} WHERE {sequence} > @from AND {sequence} <= @to AND {subject} IS NOT NULL ORDER BY {subject}, {sequence}";
    });

    private static readonly SqlText AdvanceSql = new(n =>
    {
        var (id, through) = (n.Column<SubjectIndexStateRow>(nameof(SubjectIndexStateRow.Id)), n.Column<SubjectIndexStateRow>(nameof(SubjectIndexStateRow.IndexedThrough)));
        return $"INSERT INTO {n.Table<SubjectIndexStateRow>()} ({id}, {through}) VALUES (1, @to) ON CONFLICT ({id}) DO UPDATE SET {through} = excluded.{through}";
    });

    /// <summary>How long indexing has been failing, or null while it works (for health checks).</summary>
    public TimeSpan? FailingFor => _indexing.FailingFor;

    /// <summary>
    /// Indexes up to 65,536 entries after the watermark, holding the write gate; true when more
    /// remain. What each tick runs, until it returns false.
    /// </summary>
    public Task<bool> IndexPendingAsync(CancellationToken cancellationToken) => gate.HoldAsync(
        () => leases.RunWriter(lease =>
        {
            using var transaction = lease.Connection.BeginTransaction();

            // Instances sharing a PostgreSQL server move the watermark one at a time.
            PostgresChainLock.Take(transaction);
            var from = Scalar(lease, transaction, IndexedThroughSql);
            var head = Scalar(lease, transaction, HeadSequenceSql);
            if (head <= from)
            {
                return false;
            }

            var to = Math.Min(head, from + MaxEntriesPerPass);
            if (settings.Provider == DatabaseProvider.Sqlite)
            {
                var index = lease.Command(IndexSql.For(lease.Names), "@from", "@to");
                index.Transaction = transaction;
                (index.Parameters[0].Value, index.Parameters[1].Value) = (from, to);
                index.ExecuteNonQuery();
            }

            var advance = lease.Command(AdvanceSql.For(lease.Names), "@to");
            advance.Transaction = transaction;
            advance.Parameters[0].Value = to;
            advance.ExecuteNonQuery();
            transaction.Commit();
            return to < head;
        }),
        cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ready.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                while (await IndexPendingAsync(stoppingToken).ConfigureAwait(false))
                {
                }

                _indexing.Succeeded();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Nothing is lost: the entries not indexed are found by scanning until a pass succeeds.
                IndexFailed(logger, e);
                _indexing.Failed();
            }
        }
    }

    private static long Scalar(ConnectionLease lease, DbTransaction transaction, SqlText sql)
    {
        var command = lease.Command(sql.For(lease.Names));
        command.Transaction = transaction;
        return command.ExecuteScalar() is long value ? value : 0;
    }

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Indexing the provision log by person failed; the entries not indexed are found by scanning, and the next pass retries")]
    private static partial void IndexFailed(ILogger logger, Exception exception);
}
