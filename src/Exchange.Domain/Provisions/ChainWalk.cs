namespace Exchange.Domain.Provisions;

/// <summary>
/// Checks the chain one entry at a time, in order: each link, hash and the checkpoints over it,
/// stopping at the first fault. It keeps where it stands, never the entries, so a walk of any
/// length runs in the same memory.
/// </summary>
public sealed class ChainWalk
{
    private readonly ChainPosition _start;
    private readonly IReadOnlyList<ProvisionCheckpoint> _checkpoints;
    private readonly ILookup<long, ProvisionCheckpoint> _bySequence;
    private readonly ILogSigner _signer;
    private bool _anchorPending;

    /// <summary>
    /// A walk going on after <paramref name="start"/>. Unless that is <see cref="ChainPosition.Genesis"/>,
    /// the walk reads the entry at <c>start.Sequence</c> again first: it must still hash to
    /// <c>start.EntryHash</c>, the hash the next entry links to; it is not counted again.
    /// </summary>
    public ChainWalk(ChainPosition start, IReadOnlyList<ProvisionCheckpoint> checkpoints, ILogSigner signer)
    {
        _start = start;
        _checkpoints = checkpoints;
        _bySequence = checkpoints.Where(c => c.Sequence > start.Sequence).ToLookup(c => c.Sequence);
        _signer = signer;
        _anchorPending = start.Sequence > 0;
        Position = start;
    }

    /// <summary>
    /// Entries up to this one were reduced by retention: their subject ID is erased, so their hash
    /// cannot be computed again. The walk takes their stored hash, still checks that the next entry
    /// links to it and that checkpoints over it verify; the Merkle tree's leaves are those hashes.
    /// </summary>
    public long ReducedThrough { get; set; }

    /// <summary>Through where the chain is found intact.</summary>
    public ChainPosition Position { get; private set; }

    /// <summary>The first entry the walk reads.</summary>
    public long FirstToRead => Math.Max(_start.Sequence, 1);

    /// <summary>The first entry that does not hold, or 0.</summary>
    public long FirstBrokenSequence { get; private set; }

    /// <summary>What is wrong there, or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>Checks the next entry read; false (and <see cref="Problem"/> set) when it does not hold.</summary>
    public bool Check(ChainedProvision entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (Problem is not null)
        {
            throw new InvalidOperationException("The walk stopped at its first fault.");
        }

        var hash = entry.Sequence <= ReducedThrough ? entry.EntryHash : ProvisionChain.Hash(entry.Sequence, entry.Fact, entry.PreviousHash);
        if (_anchorPending)
        {
            _anchorPending = false;
            if (entry.Sequence != _start.Sequence)
            {
                return Fail(_start.Sequence, $"entry {_start.Sequence} is missing (found {entry.Sequence} next)");
            }

            return (hash == entry.EntryHash && hash == _start.EntryHash)
                || Fail(_start.Sequence, $"entry {_start.Sequence} was altered: it no longer has the hash it had when the chain was last found intact through it");
        }

        var expected = Position.Sequence + 1;
        if (entry.Sequence != expected)
        {
            return Fail(expected, $"entry {expected} is missing (found {entry.Sequence} next)");
        }

        if (entry.PreviousHash != Position.EntryHash)
        {
            return Fail(entry.Sequence, $"entry {entry.Sequence} does not link to entry {entry.Sequence - 1}");
        }

        if (hash != entry.EntryHash)
        {
            return Fail(entry.Sequence, $"entry {entry.Sequence} was altered: its content no longer matches its hash");
        }

        var (checkpoints, vouched, vouchedHash) = (Position.CheckpointsChecked, Position.VouchedThrough, Position.VouchedHash);
        foreach (var checkpoint in _bySequence[entry.Sequence])
        {
            if (checkpoint.EntryHash != hash || !_signer.Verify(ProvisionChain.CheckpointPayload(checkpoint.Sequence, checkpoint.EntryHash, checkpoint.SignedAt), checkpoint.Signature))
            {
                return Fail(entry.Sequence, $"the checkpoint signed at {checkpoint.SignedAt:O} over entry {entry.Sequence} does not verify");
            }

            checkpoints++;
            (vouched, vouchedHash) = (entry.Sequence, hash);
        }

        Position = new ChainPosition(entry.Sequence, hash, Position.EntriesChecked + 1, checkpoints, vouched, vouchedHash);
        return true;
    }

    /// <summary>
    /// Ends the walk: the chain must reach <paramref name="head"/> (the head read before the walk,
    /// when known), and no checkpoint may vouch for an entry past its end.
    /// </summary>
    public ChainVerification Finish(long? head)
    {
        if (Problem is null)
        {
            var end = Position.Sequence;
            if (_anchorPending && head < _start.Sequence)
            {
                Fail(head.Value + 1, $"a checkpoint vouches for entry {_start.Sequence}, but the chain ends at {head.Value}: entries were removed");
            }
            else if (_anchorPending)
            {
                Fail(_start.Sequence, $"entry {_start.Sequence} is missing");
            }
            else if (head > end)
            {
                Fail(end + 1, $"entry {end + 1} is missing (the chain's head was entry {head})");
            }
            else if (_checkpoints.Where(c => c.Sequence > end).MinBy(c => c.Sequence) is { } beyond)
            {
                Fail(end + 1, $"a checkpoint vouches for entry {beyond.Sequence}, but the chain ends at {end}: entries were removed");
            }
        }

        return new ChainVerification(Problem is null, Position.EntriesChecked, Position.CheckpointsChecked, FirstBrokenSequence, Problem, Position.VouchedThrough)
        {
            FromSequence = FirstToRead,
            ThroughSequence = Position.Sequence,
        };
    }

    /// <summary>
    /// Whether the fault just found may be a reduction made while the walk ran: the entry's hash
    /// did not match and it names no person. Then <see cref="Retry"/> checks it again once the
    /// reduction is known.
    /// </summary>
    public bool MayBeReduced(ChainedProvision entry) =>
        Problem is not null && FirstBrokenSequence == entry.Sequence && entry.Fact.SubjectId is null && entry.Sequence > ReducedThrough;

    /// <summary>Checks <paramref name="entry"/> again after <see cref="ReducedThrough"/> moved past it.</summary>
    public bool Retry(ChainedProvision entry)
    {
        (FirstBrokenSequence, Problem) = (0, null);
        return Check(entry);
    }

    private bool Fail(long sequence, string problem)
    {
        (FirstBrokenSequence, Problem) = (sequence, problem);
        return false;
    }
}
