using Exchange.Contracts.V1;

namespace Exchange.Domain.Records;

/// <summary>
/// One open stream of a sync: changes are added as they arrive and committed in groups, each group
/// in one transaction with its provision-log entries and the sync's new acknowledged sequence.
/// </summary>
public sealed class SyncStream
{
    private readonly RecordSync _sync;
    private readonly CallContext _call;
    private readonly List<(SyncChange Change, bool Duplicate)> _pending = [];
    private SyncSession _session;
    private long _next;

    internal SyncStream(RecordSync sync, CallContext call, SyncSession session, int declarationVersion)
    {
        _sync = sync;
        _call = call;
        _session = session;
        _next = session.Acknowledged + 1;
        Opened = new SyncOpened { SyncId = session.Id, AcknowledgedSequence = session.Acknowledged, DeclarationVersion = declarationVersion };
    }

    /// <summary>The answer to the stream's opening request.</summary>
    public SyncOpened Opened { get; }

    /// <summary>Changes added and not yet committed.</summary>
    public int Pending => _pending.Count;

    /// <summary>
    /// Adds a change to the next group. A sequence below the next expected one is a re-send, to be
    /// acknowledged as a duplicate; one beyond it is OUT_OF_RANGE; one below 1 is INVALID_ARGUMENT.
    /// </summary>
    public void Add(SyncChange change)
    {
        if (change.Sequence < 1)
        {
            throw CustomerRecords.Malformed($"sequence {change.Sequence} is not a change's sequence: they start at 1");
        }

        if (change.Sequence > _next)
        {
            throw new ExchangeException(FailureKind.OutOfRange, $"change {change.Sequence} of sync {_session.Id} skips {_next}: send from {_next}, the hub acknowledged through {_session.Acknowledged}");
        }

        var duplicate = change.Sequence < _next;
        _pending.Add((change, duplicate));
        if (!duplicate)
        {
            _next++;
        }
    }

    /// <summary>
    /// Takes the pending changes as one group, applies those that are new in one transaction, which
    /// also moves the sync's acknowledged sequence, and acknowledges every change of the group,
    /// re-sends as duplicates. Changes may be added while it runs; one group commits at a time.
    /// </summary>
    /// <param name="beforeApplying">Runs once the group is taken and before it is applied (a check that may refuse it by throwing).</param>
    /// <param name="cancellationToken">Cancels the commit.</param>
    public async Task<SyncAcknowledgement> CommitAsync(Func<ValueTask> beforeApplying, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(beforeApplying);

        // The group is taken now, before anything is awaited: changes added while it commits wait for the next one.
        var group = _pending.ToList();
        _pending.Clear();
        await beforeApplying().ConfigureAwait(false);
        var fresh = group.Where(p => !p.Duplicate).Select(p => p.Change).ToList();
        var applied = fresh.Count == 0 ? [] : await _sync.ApplyAsync(_call, _session, fresh, cancellationToken).ConfigureAwait(false);
        if (fresh.Count > 0)
        {
            _session = _session with { Acknowledged = fresh[^1].Sequence };
        }

        var next = 0;
        var results = group.Select(p => p.Duplicate
                ? new AppliedChange(p.Change.Sequence, SyncOutcome.Duplicate, null, _sync.SubjectOf(_call, p.Change))
                : applied[next++])
            .ToList();
        return new SyncAcknowledgement(_session.Acknowledged, results);
    }
}
