using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Exchange.Domain.Provisions;
using Exchange.Storage.Entities;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Exchange.Storage.Stores;

/// <summary>
/// Group commit for the provision-log entries that accompany no change of data (provisions to a
/// reader, refusals). Calls queue their entries on a channel; this service takes every entry queued
/// while it committed the previous group and, in one database transaction, takes the chain lock,
/// reads the head, links the entries and inserts them (<see cref="ProvisionLogStore.AppendAsync(System.Data.Common.DbTransaction, System.Data.Common.DbCommand, RowInserter{ProvisionEntryRow}, ProvisionTerms, SchemaNames, List{KeyValuePair{string, int}}, IEnumerable{ProvisionFact}, CancellationToken)"/>,
/// the path a unit of work's entries take too), commits, and only then completes the calls. No
/// call is answered before its entries are committed in the database, and entries join the chain
/// in commit order.
/// </summary>
/// <remarks>
/// Reports, on the meter <see cref="MeterName"/>: each group commit's duration and entries, and how
/// long each call waited from queueing its entries to their commit (what the log adds to a read).
/// </remarks>
internal sealed partial class ProvisionLogWriter : BackgroundService, IProvisionRecorder
{
    /// <summary>The meter of the provision log's writer.</summary>
    public const string MeterName = "Exchange.Storage.ProvisionLog";

    /// <summary>Histogram of one group commit's duration, ms.</summary>
    public const string CommitDuration = "exchange.provision_log.commit.duration";

    /// <summary>Histogram of the entries in one group commit.</summary>
    public const string CommitEntries = "exchange.provision_log.commit.entries";

    /// <summary>Histogram of a call's wait for its entries to be committed, ms.</summary>
    public const string Wait = "exchange.provision_log.wait";

    // Bounds one group, so that no commit holds the chain lock for long.
    private const int MaxEntriesPerCommit = 4096;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConnectionLeases _leases;
    private readonly WriteGate _gate;
    private readonly ProvisionTerms _terms;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<int> _commitEntries;
    private readonly Histogram<double> _wait;
    private readonly FailureClock _committing = new();
    private readonly IProvisionObserver? _observer;

    public ProvisionLogWriter(ConnectionLeases leases, WriteGate gate, ProvisionTerms terms, ILogger<ProvisionLogWriter> logger, IMeterFactory? meters = null, IProvisionObserver? observer = null)
    {
        _observer = observer;
        _leases = leases;
        _gate = gate;
        _terms = terms;
        _logger = logger;
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _commitDuration = _meter.CreateHistogram<double>(CommitDuration, "ms", "One group commit: the chain lock, the inserts and the database commit.");
        _commitEntries = _meter.CreateHistogram<int>(CommitEntries, "{entry}", "Entries in one group commit.");
        _wait = _meter.CreateHistogram<double>(Wait, "ms", "How long a call waited from queueing its entries to their commit.");
    }

    /// <summary>How long commits have been failing, or null while they work (for health checks).</summary>
    public TimeSpan? FailingFor => _committing.FailingFor;

    public Task RecordAsync(IReadOnlyList<ProvisionFact> facts, CancellationToken cancellationToken)
    {
        if (facts.Count == 0)
        {
            return Task.CompletedTask;
        }

        _observer?.Recording(facts);
        var caller = Activity.Current;
        var activity = StorageActivity.Source.StartActivity("provision_log.record");
        // Not async: the span ends with the commit, and the caller's current span stays its own.
        Activity.Current = caller;
        activity?.SetTag("exchange.provision_log.entries", facts.Count);

        // Not cancelled once queued: a caller that goes away still had its refusal or provision decided.
        var pending = new Pending(facts);
        if (!_queue.Writer.TryWrite(pending))
        {
            activity?.Dispose();
            throw new ObjectDisposedException(nameof(ProvisionLogWriter), "The hub is stopping; nothing more is recorded.");
        }

        return activity is null ? pending.Committed.Task : EndWithCommitAsync(pending.Committed.Task, activity);
    }

    private static async Task EndWithCommitAsync(Task committed, Activity activity)
    {
        using (activity)
        {
            try
            {
                await committed.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                activity.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
                throw;
            }
        }
    }

    /// <summary>Takes no more entries, commits those queued, then stops.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // Since .NET 10, BackgroundService starts ExecuteAsync through Task.Run with the stopping token: a stop
        // that comes before the loop has begun cancels it unstarted, and the calls queued meanwhile would wait
        // for ever. Their entries are committed here instead.
        if (ExecuteTask is { IsCanceled: true })
        {
            await CommitQueuedAsync().ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        _queue.Writer.TryComplete();

        // Disposed without being stopped: whatever is still queued will not be committed, so its calls fail now.
        while (_queue.Reader.TryRead(out var abandoned))
        {
            abandoned.Committed.TrySetException(new ObjectDisposedException(nameof(ProvisionLogWriter), "The hub stopped before these entries were committed."));
        }

        _meter.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => CommitQueuedAsync();

    // Runs until the channel is completed and drained, whatever the stopping token says: a queued call is always answered.
    private async Task CommitQueuedAsync()
    {
        var group = new List<Pending>();
        var facts = new List<ProvisionFact>();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            group.Clear();
            facts.Clear();
            while (facts.Count < MaxEntriesPerCommit && reader.TryRead(out var next))
            {
                group.Add(next);
                facts.AddRange(next.Facts);
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                await CommitAsync(facts).ConfigureAwait(false);
                var committed = Stopwatch.GetTimestamp();
                _committing.Succeeded();
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
                // Nothing of the group was committed: its calls fail (UNAVAILABLE when the database says why), and answer nothing.
                _committing.Failed();
                CommitFailed(_logger, e, facts.Count);
                group.ForEach(p => p.Committed.TrySetException(e));
            }
        }
    }

    private async Task CommitAsync(IReadOnlyList<ProvisionFact> facts)
    {
        await _gate.Semaphore.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await _leases.RunWriterAsync(
                async lease =>
                {
                    var transaction = await lease.Connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        var head = lease.Command(ProvisionLogStore.HeadSql.For(lease.Names));
                        head.Transaction = transaction;
                        var insert = lease.Inserter<ProvisionEntryRow>();
                        insert.Transaction = transaction;
                        var added = new List<KeyValuePair<string, int>>();
                        await ProvisionLogStore.AppendAsync(transaction, head, insert, _terms, lease.Names, added, facts, CancellationToken.None).ConfigureAwait(false);
                        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                        _terms.Committed(added);
                    }

                    return 0;
                },
                CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Semaphore.Release();
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Committing {Count} provision-log entries failed; their calls fail and answer nothing")]
    private static partial void CommitFailed(ILogger logger, Exception exception, int count);

    private sealed record Pending(IReadOnlyList<ProvisionFact> Facts)
    {
        public long Queued { get; } = Stopwatch.GetTimestamp();

        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
