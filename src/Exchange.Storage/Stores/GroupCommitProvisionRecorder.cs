using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Exchange.Domain.Provisions;
using Exchange.Storage.Entities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Exchange.Storage.Stores;

/// <summary>Where and how the provision-log writer keeps its journal.</summary>
/// <param name="Directory">The folder of the journal files: the data folder.</param>
internal sealed record ProvisionJournalSettings(string Directory)
{
    /// <summary>The size of each of the journal's two segments.</summary>
    public long SegmentBytes { get; init; } = 8 << 20;

    /// <summary>How long journalled entries may wait to be folded into the database when nobody asks for them.</summary>
    public TimeSpan FoldDelay { get; init; } = TimeSpan.FromMilliseconds(20);
}

/// <summary>
/// Group commit for log-only entries (provisions to a reader, refusals). One writer thread takes
/// every entry queued while it was writing the previous group, writes them all to the hub's
/// <see cref="ProvisionJournal"/> with one flush, and only then answers their callers, so no caller
/// is answered before its entries are on disk. A second thread folds journalled entries into the
/// database's chain every <see cref="ProvisionJournalSettings.FoldDelay"/>, in one transaction that
/// also records how far the journal is folded; reading the log folds first
/// (<see cref="FlushAsync"/>), so a reader of the log never misses an entry.
/// </summary>
/// <remarks>
/// <para>
/// Entries join the chain in the order they reach the database: a batch write's entries, which are
/// committed with its data, may come before the journalled entries of reads answered just before it.
/// </para>
/// <para>
/// A group too large for a journal segment, and every group once the journal has failed, is
/// committed to the database directly instead, as one transaction with its disk flush.
/// </para>
/// <para>
/// Reports, on the meter <see cref="MeterName"/>: each group commit's duration and entries, how long
/// each call waited from queueing its entries to their commit (what the log adds to a read's
/// latency), and each fold's duration and entries.
/// </para>
/// </remarks>
internal sealed partial class GroupCommitProvisionRecorder : IProvisionRecorder, IDisposable
{
    /// <summary>The meter of the provision log's writer.</summary>
    public const string MeterName = "Exchange.Storage.ProvisionLog";

    /// <summary>Histogram of one group commit's duration, ms.</summary>
    public const string CommitDuration = "exchange.provision_log.commit.duration";

    /// <summary>Histogram of the entries in one group commit.</summary>
    public const string CommitEntries = "exchange.provision_log.commit.entries";

    /// <summary>Histogram of a call's wait for its entries to be committed, ms.</summary>
    public const string Wait = "exchange.provision_log.wait";

    /// <summary>Histogram of one fold's duration, ms.</summary>
    public const string FoldDuration = "exchange.provision_log.fold.duration";

    /// <summary>Histogram of the entries in one fold.</summary>
    public const string FoldEntries = "exchange.provision_log.fold.entries";

    /// <summary>Gauge of the entries in the journal not folded into the database yet.</summary>
    public const string JournalUnfolded = "exchange.provision_log.journal.unfolded";

    /// <summary>How far each journal is folded, upserted with each fold.</summary>
    internal static readonly SqlText ProgressSql = new(n =>
    {
        var id = n.Column<JournalProgressRow>(nameof(JournalProgressRow.JournalId));
        var through = n.Column<JournalProgressRow>(nameof(JournalProgressRow.FoldedThrough));
        return $"INSERT INTO {n.Table<JournalProgressRow>()} ({id}, {through}) VALUES (@journal, @through) ON CONFLICT ({id}) DO UPDATE SET {through} = excluded.{through}";
    });

    /// <summary>
    /// The folding progress of a journal whose every entry is folded, about to be deleted: a row
    /// saying so outlives its file harmlessly, where any other row without its file is a journal lost.
    /// </summary>
    internal const long Closing = long.MaxValue;

    /// <summary>Forgets a journal that was folded and deleted.</summary>
    internal static readonly SqlText ForgetSql = new(n =>
        $"DELETE FROM {n.Table<JournalProgressRow>()} WHERE {n.Column<JournalProgressRow>(nameof(JournalProgressRow.JournalId))} = @journal");

    /// <summary>How far a journal is folded.</summary>
    internal static readonly SqlText FoldedThroughSql = new(n =>
        $"SELECT {n.Column<JournalProgressRow>(nameof(JournalProgressRow.FoldedThrough))} FROM {n.Table<JournalProgressRow>()} WHERE {n.Column<JournalProgressRow>(nameof(JournalProgressRow.JournalId))} = @journal");

    // Bound one group and one fold, so that neither holds its thread or the write gate for long.
    private const int MaxEntriesPerCommit = 4096;
    private const int MaxEntriesPerFold = 16384;
    private readonly ConnectionLeases _leases;
    private readonly WriteGate _gate;
    private readonly ProvisionJournalSettings _settings;
    private readonly ILogger _logger;
    private readonly SleepingQueue<Pending> _queue = new();
    private readonly Thread _writer;
    private readonly Thread _folder;
    private readonly Meter _meter;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<int> _commitEntries;
    private readonly Histogram<double> _wait;
    private readonly Histogram<double> _foldDuration;
    private readonly Histogram<int> _foldEntries;

    // Guards what the writer and the folder share: the journalled entries not folded yet (numbered
    // from _foldedThrough + 1), the number folded through, and the callers waiting for a fold.
    private readonly object _lock = new();
    private readonly List<ProvisionFact> _unfolded = [];
    private readonly List<(long Through, TaskCompletionSource Folded)> _flushes = [];
    private long _foldedThrough;
    private bool _stopping;
    private int _disposed;
    private readonly FailureClock _folding = new();

    // The writer thread's own.
    private volatile ProvisionJournal? _journal;
    private volatile bool _journalFailed;

    public GroupCommitProvisionRecorder(ConnectionLeases leases, WriteGate gate, ProvisionJournalSettings settings, ILogger<GroupCommitProvisionRecorder>? logger = null, IMeterFactory? meters = null)
    {
        _leases = leases;
        _gate = gate;
        _settings = settings;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _commitDuration = _meter.CreateHistogram<double>(CommitDuration, "ms", "One group commit: writing and flushing the journal (or, without one, the database transaction).");
        _commitEntries = _meter.CreateHistogram<int>(CommitEntries, "{entry}", "Entries in one group commit.");
        _wait = _meter.CreateHistogram<double>(Wait, "ms", "How long a call waited from queueing its entries to their commit.");
        _foldDuration = _meter.CreateHistogram<double>(FoldDuration, "ms", "One fold of journalled entries into the database: the write gate, the inserts and the commit.");
        _foldEntries = _meter.CreateHistogram<int>(FoldEntries, "{entry}", "Entries in one fold.");
        _meter.CreateObservableGauge(JournalUnfolded, () => State.Unfolded, "{entry}", "Entries in the journal not folded into the database yet.");
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "Provision-log writer" };
        _folder = new Thread(FoldLoop) { IsBackground = true, Name = "Provision-log folder" };
        _writer.Start();
        _folder.Start();
    }

    public Task RecordAsync(IReadOnlyList<ProvisionFact> facts, CancellationToken cancellationToken)
    {
        if (facts.Count == 0)
        {
            return Task.CompletedTask;
        }

        // Not cancelled once queued: a caller that goes away still had its refusal or provision decided.
        var pending = new Pending(facts);
        if (!_queue.TryAdd(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommitProvisionRecorder), "The hub is stopping; nothing more is recorded.");
        }

        return pending.Committed.Task;
    }

    /// <summary>What the writer and the folder are doing, for health checks.</summary>
    public LogWriterState State
    {
        get
        {
            int unfolded;
            lock (_lock)
            {
                unfolded = _unfolded.Count;
            }

            return new LogWriterState(_journalFailed, unfolded, _folding.FailingFor);
        }
    }

    /// <summary>Completes once every entry committed before the call is folded into the database's chain.</summary>
    public Task FlushAsync()
    {
        lock (_lock)
        {
            if (_unfolded.Count == 0)
            {
                return Task.CompletedTask;
            }

            var folded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushes.Add((_foldedThrough + _unfolded.Count, folded));
            Monitor.Pulse(_lock);
            return folded.Task;
        }
    }

    public void Dispose()
    {
        // Registered under its own type and as IProvisionRecorder, so the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.CompleteAdding();
        _writer.Join();
        lock (_lock)
        {
            _stopping = true;
            Monitor.PulseAll(_lock);
        }

        _folder.Join();
        CloseJournal();
        _queue.Dispose();
        _meter.Dispose();
    }

    /// <summary>
    /// Folds into the chain what journals no running hub holds still have unfolded, and deletes them:
    /// the journals of hubs that stopped without folding (a crash, a power loss). Run on start, after
    /// the database is migrated; returns the entries folded.
    /// </summary>
    public int RecoverOrphanJournals()
    {
        var recovered = 0;
        foreach (var orphan in ProvisionJournal.FindOrphans(_settings.Directory))
        {
            using (orphan)
            {
                var folded = _gate.Hold(() =>
                {
                    var folded = _leases.RunWriter(lease =>
                    {
                        var progress = lease.Command(FoldedThroughSql.For(lease.Names), "@journal");
                        progress.Parameters[0].Value = orphan.Id;
                        var through = progress.ExecuteScalar() is long value ? value : 0;

                        // Records are whole and numbered in turn up to the last one flushed before the stop.
                        var facts = new List<ProvisionFact>();
                        foreach (var (number, fact) in orphan.Records.Where(r => r.Number > through))
                        {
                            if (number != through + facts.Count + 1)
                            {
                                break;
                            }

                            facts.Add(fact);
                        }

                        if (facts.Count > 0)
                        {
                            Commit(lease, facts, orphan.Id, through + facts.Count);
                        }

                        return facts.Count;
                    });
                    orphan.Delete();
                    _leases.RunWriter(lease => Forget(lease, orphan.Id));
                    return folded;
                });
                JournalRecovered(_logger, folded, orphan.Id);
                recovered += folded;
            }
        }

        return recovered;
    }

    /// <summary>
    /// Links <paramref name="facts"/> at the head of the chain and commits them in one transaction
    /// on <paramref name="lease"/>, with, for journalled entries, the number of the journal
    /// <paramref name="journalId"/> folded through: what the writer, the folder and recovery at
    /// start all commit.
    /// </summary>
    internal static void Commit(ConnectionLease lease, IReadOnlyList<ProvisionFact> facts, string? journalId, long foldedThrough)
    {
        using var transaction = lease.Connection.BeginTransaction();
        var head = lease.Command(ProvisionLogStore.HeadSql.For(lease.Names));
        head.Transaction = transaction;
        var insert = lease.Inserter<ProvisionEntryRow>();
        insert.Transaction = transaction;

        // Microsoft.Data.Sqlite completes these at once; and the threads that call this are the log's own.
        ProvisionLogStore.AppendAsync(head, insert, facts, CancellationToken.None).GetAwaiter().GetResult();
        if (journalId is not null)
        {
            var progress = lease.Command(ProgressSql.For(lease.Names));
            progress.Transaction = transaction;
            BindProgress(progress, journalId, foldedThrough);
            progress.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>Sets the parameters of a <see cref="ProgressSql"/> command, adding them on its first use.</summary>
    internal static void BindProgress(DbCommand command, string journalId, long foldedThrough)
    {
        if (command.Parameters.Count == 0)
        {
            foreach (var name in (ReadOnlySpan<string>)["@journal", "@through"])
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
            }
        }

        command.Parameters[0].Value = journalId;
        command.Parameters[1].Value = foldedThrough;
    }

    private void WriteLoop()
    {
        var group = new List<Pending>();
        var facts = new List<ProvisionFact>();
        while (_queue.TryTake(out var first, wait: true))
        {
            group.Clear();
            group.Add(first);
            facts.Clear();
            facts.AddRange(first.Facts);
            while (facts.Count < MaxEntriesPerCommit && _queue.TryTake(out var next, wait: false))
            {
                group.Add(next);
                facts.AddRange(next.Facts);
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                Write(facts);
                var committed = Stopwatch.GetTimestamp();
                _commitDuration.Record(Stopwatch.GetElapsedTime(started, committed).TotalMilliseconds);
                _commitEntries.Record(facts.Count);
                foreach (var pending in group)
                {
                    _wait.Record(Stopwatch.GetElapsedTime(pending.Queued, committed).TotalMilliseconds);
                    pending.Committed.TrySetResult();
                }
            }
            catch (Exception e)
            {
                group.ForEach(p => p.Committed.TrySetException(e));
            }
        }
    }

    private void Write(List<ProvisionFact> facts)
    {
        if (Journal() is { } journal)
        {
            try
            {
                var appended = journal.TryAppend(facts, FoldedThrough());
                if (!appended)
                {
                    // The other segment still holds entries not folded: fold them and try once more.
                    FlushAsync().GetAwaiter().GetResult();
                    appended = journal.TryAppend(facts, FoldedThrough());
                }

                if (appended)
                {
                    lock (_lock)
                    {
                        _unfolded.AddRange(facts);
                        if (_unfolded.Count == facts.Count)
                        {
                            Monitor.Pulse(_lock);
                        }
                    }

                    return;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // After a failed write or flush the file's state is unknown; it is not written again.
                JournalFailed(_logger, e, journal.Path);
                _journalFailed = true;
                throw;
            }
        }

        _gate.Hold(() => _leases.RunWriter(lease => Commit(lease, facts, null, 0)));
    }

    private ProvisionJournal? Journal()
    {
        if (_journal is null && !_journalFailed)
        {
            ProvisionJournal? created = null;
            try
            {
                created = ProvisionJournal.Create(_settings.Directory, _settings.SegmentBytes);

                // Recorded before it holds anything, so that a journal lost before its entries are folded is noticed.
                _gate.Hold(() => _leases.RunWriter(lease => SetProgress(lease, created.Id, 0)));
                _journal = created;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                JournalFailed(_logger, e, _settings.Directory);
                created?.Delete();
                _journalFailed = true;
            }
        }

        return _journalFailed ? null : _journal;
    }

    private long FoldedThrough()
    {
        lock (_lock)
        {
            return _foldedThrough;
        }
    }

    /// <summary>
    /// The journalled entries not folded yet, the journal's ID and the number the last of them has,
    /// for a caller holding the write gate that folds them in its own transaction and then reports
    /// <see cref="Folded"/> once that commits.
    /// </summary>
    internal (IReadOnlyList<ProvisionFact> Facts, string JournalId, long Through) Unfolded(int max = int.MaxValue)
    {
        lock (_lock)
        {
            var facts = _unfolded.GetRange(0, Math.Min(_unfolded.Count, max));
            return (facts, _journal?.Id ?? "", _foldedThrough + facts.Count);
        }
    }

    /// <summary>Entries up to the number <paramref name="through"/> are committed to the chain.</summary>
    internal void Folded(long through)
    {
        lock (_lock)
        {
            _unfolded.RemoveRange(0, (int)(through - _foldedThrough));
            _foldedThrough = through;
            Settle(null);
        }
    }

    private void FoldLoop()
    {
        while (true)
        {
            lock (_lock)
            {
                while (_unfolded.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_lock);
                }

                if (_unfolded.Count == 0)
                {
                    return;
                }

                // Gather for a while, unless someone is waiting to read the log or the hub is stopping.
                if (_flushes.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_lock, _settings.FoldDelay);
                }
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                var folded = _gate.Hold(() =>
                {
                    // Taken under the gate: a unit of work that held it may have folded some already.
                    var (facts, journalId, through) = Unfolded(MaxEntriesPerFold);
                    if (facts.Count > 0)
                    {
                        _leases.RunWriter(lease => Commit(lease, facts, journalId, through));
                        Folded(through);
                    }

                    return facts.Count;
                });

                _folding.Succeeded();
                _foldDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                _foldEntries.Record(folded);
            }
            catch (Exception e)
            {
                FoldFailed(_logger, e);
                _folding.Failed();
                lock (_lock)
                {
                    Settle(e);

                    // The journal keeps the entries; a hub that stops now folds them on its next start.
                    if (_stopping)
                    {
                        return;
                    }

                    Monitor.Wait(_lock, TimeSpan.FromSeconds(1));
                }
            }
        }
    }

    // Under _lock: completes the flushes now folded, or fails them all.
    private void Settle(Exception? failure)
    {
        for (var i = _flushes.Count - 1; i >= 0; i--)
        {
            if (failure is not null || _flushes[i].Through <= _foldedThrough)
            {
                _ = failure is null ? _flushes[i].Folded.TrySetResult() : _flushes[i].Folded.TrySetException(failure);
                _flushes.RemoveAt(i);
            }
        }
    }

    private void CloseJournal()
    {
        if (_journal is null)
        {
            return;
        }

        if (_unfolded.Count > 0)
        {
            _journal.Dispose();
            return;
        }

        // Everything is folded: the row says so, then the file goes, then the row (a crash in between leaves a row saying so).
        try
        {
            _gate.Hold(() => _leases.RunWriter(lease => SetProgress(lease, _journal.Id, Closing)));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The file stays; the next start folds what it holds beyond the progress recorded (nothing) and deletes it.
            ForgetFailed(_logger, e, _journal.Id);
            _journal.Dispose();
            return;
        }

        _journal.Delete();
        try
        {
            _gate.Hold(() => _leases.RunWriter(lease => Forget(lease, _journal.Id)));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            ForgetFailed(_logger, e, _journal.Id);
        }
    }

    /// <summary>The journal this hub writes now, if any.</summary>
    internal string? JournalId => _journal?.Id;

    /// <summary>The folder journals are kept in.</summary>
    internal string JournalDirectory => _settings.Directory;

    private static void SetProgress(ConnectionLease lease, string journalId, long through)
    {
        var progress = lease.Command(ProgressSql.For(lease.Names));
        BindProgress(progress, journalId, through);
        progress.ExecuteNonQuery();
    }

    private static int Forget(ConnectionLease lease, string journalId)
    {
        var forget = lease.Command(ForgetSql.For(lease.Names), "@journal");
        forget.Parameters[0].Value = journalId;
        return forget.ExecuteNonQuery();
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "The provision-log journal {Path} failed; log entries are now committed to the database directly")]
    private static partial void JournalFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Folding journalled provision-log entries into the database failed; they stay in the journal and are folded again")]
    private static partial void FoldFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Removing the folding progress of the deleted provision-log journal {JournalId} failed; the row is left behind and harmless")]
    private static partial void ForgetFailed(ILogger logger, Exception exception, string journalId);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Folded {Count} provision-log entries from the journal {JournalId}, left by a hub that stopped before folding them, and removed it")]
    private static partial void JournalRecovered(ILogger logger, int count, string journalId);

    /// <summary>What the provision-log writer is doing.</summary>
    /// <param name="JournalFailed">The journal failed; entries are committed to the database directly.</param>
    /// <param name="Unfolded">Entries in the journal not folded into the database yet.</param>
    /// <param name="FoldFailingFor">How long folding has been failing, or null while it works.</param>
    internal sealed record LogWriterState(bool JournalFailed, int Unfolded, TimeSpan? FoldFailingFor);

    private sealed record Pending(IReadOnlyList<ProvisionFact> Facts)
    {
        public long Queued { get; } = Stopwatch.GetTimestamp();

        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
