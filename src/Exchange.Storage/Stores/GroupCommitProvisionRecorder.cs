using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Exchange.Domain.Provisions;
using Exchange.Storage.Entities;

namespace Exchange.Storage.Stores;

/// <summary>
/// Group commit for log-only entries: one writer thread takes every entry queued while its previous
/// transaction was committing and stores them all in the next one. Each commit costs a disk flush,
/// so committing reads one by one would cap the hub at the disk's flush rate; together, one flush
/// serves every call that was waiting. No caller is answered before its own entries are committed.
/// The writer has a thread of its own so that, under load, it does not queue behind the calls it serves.
/// </summary>
/// <remarks>
/// Reports, on the meter <see cref="MeterName"/>: each commit's duration (waiting for the write gate,
/// the inserts and SQLite's commit with its disk flush) and entries, and how long each call waited
/// from queueing its entries to their commit, which is what the log adds to a read's latency.
/// </remarks>
internal sealed class GroupCommitProvisionRecorder : IProvisionRecorder, IDisposable
{
    /// <summary>The meter of the provision log's writer.</summary>
    public const string MeterName = "Exchange.Storage.ProvisionLog";

    /// <summary>Histogram of one commit's duration, ms.</summary>
    public const string CommitDuration = "exchange.provision_log.commit.duration";

    /// <summary>Histogram of the entries in one commit.</summary>
    public const string CommitEntries = "exchange.provision_log.commit.entries";

    /// <summary>Histogram of a call's wait for its entries to be committed, ms.</summary>
    public const string Wait = "exchange.provision_log.wait";

    // Bounds one transaction, so a burst cannot hold the write gate for long.
    private const int MaxEntriesPerCommit = 4096;
    private readonly ConnectionLeases _leases;
    private readonly WriteGate _gate;
    private readonly BlockingCollection<Pending> _queue = [];
    private readonly Thread _writer;
    private readonly Meter _meter;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<int> _commitEntries;
    private readonly Histogram<double> _wait;

    public GroupCommitProvisionRecorder(ConnectionLeases leases, WriteGate gate, IMeterFactory? meters = null)
    {
        _leases = leases;
        _gate = gate;
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _commitDuration = _meter.CreateHistogram<double>(CommitDuration, "ms", "One group commit: the write gate, the inserts and the commit with its disk flush.");
        _commitEntries = _meter.CreateHistogram<int>(CommitEntries, "{entry}", "Entries in one group commit.");
        _wait = _meter.CreateHistogram<double>(Wait, "ms", "How long a call waited from queueing its entries to their commit.");
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "Provision-log writer" };
        _writer.Start();
    }

    public Task RecordAsync(IReadOnlyList<ProvisionFact> facts, CancellationToken cancellationToken)
    {
        if (facts.Count == 0)
        {
            return Task.CompletedTask;
        }

        // Not cancelled once queued: a caller that goes away still had its refusal or provision decided.
        var pending = new Pending(facts);
        try
        {
            _queue.Add(pending, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(GroupCommitProvisionRecorder), "The hub is stopping; nothing more is recorded.");
        }

        return pending.Committed.Task;
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _writer.Join();
        _queue.Dispose();
        _meter.Dispose();
    }

    private void WriteLoop()
    {
        var group = new List<Pending>();
        while (_queue.TryTake(out var first, Timeout.Infinite))
        {
            group.Clear();
            group.Add(first);
            var entries = first.Facts.Count;
            while (entries < MaxEntriesPerCommit && _queue.TryTake(out var next))
            {
                group.Add(next);
                entries += next.Facts.Count;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                _gate.Semaphore.Wait();
                try
                {
                    _leases.RunWriter(lease => Append(lease, group.SelectMany(p => p.Facts)));
                }
                finally
                {
                    _gate.Semaphore.Release();
                }

                var committed = Stopwatch.GetTimestamp();
                _commitDuration.Record(Stopwatch.GetElapsedTime(started, committed).TotalMilliseconds);
                _commitEntries.Record(entries);
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

    private static bool Append(ConnectionLease lease, IEnumerable<ProvisionFact> facts)
    {
        using var transaction = lease.Connection.BeginTransaction();
        var head = lease.Command(ProvisionLogStore.HeadSql.For(lease.Names));
        head.Transaction = transaction;
        var insert = lease.Inserter<ProvisionEntryRow>();
        insert.Transaction = transaction;

        // Microsoft.Data.Sqlite completes these at once; and this thread is the writer's own.
        ProvisionLogStore.AppendAsync(head, insert, facts, CancellationToken.None).GetAwaiter().GetResult();
        transaction.Commit();
        return true;
    }

    private sealed record Pending(IReadOnlyList<ProvisionFact> Facts)
    {
        public long Queued { get; } = Stopwatch.GetTimestamp();

        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
