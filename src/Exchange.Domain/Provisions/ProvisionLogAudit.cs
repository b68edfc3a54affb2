using System.Runtime.CompilerServices;
using Exchange.Domain.Parties;
using Exchange.Domain.Records;

namespace Exchange.Domain.Provisions;

/// <summary>Reading, checkpointing and verifying the provision log.</summary>
public sealed class ProvisionLogAudit(IProvisionLogStore log, IUnitOfWork unitOfWork, ILogSigner signer, SubjectPseudonyms pseudonyms, TimeProvider time)
{
    /// <summary>The entries about one garage's customer: for the owning garage or an administrator.</summary>
    public async Task<IReadOnlyList<ChainedProvision>> ListForCustomerAsync(CallContext call, string ownerParty, string customerRef, CancellationToken cancellationToken)
    {
        Identifiers.RequirePartyId(ownerParty, "owner_party");
        Identifiers.RequireReference(customerRef, "customer_ref");
        if (call.Caller.Role != PartyRole.Administrator && !(call.Caller.Role == PartyRole.MemberGarage && call.Caller.Id == ownerParty))
        {
            throw new ExchangeException(FailureKind.PermissionDenied, "only the owning garage or an administrator reads a customer's provision record (rule log.owner-only)", "log.owner-only");
        }

        return await log.ListForSubjectAsync(pseudonyms.SubjectOf(ownerParty, customerRef), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Signs a checkpoint over the current head; null when the log is empty.</summary>
    public async Task<ProvisionCheckpoint?> CheckpointAsync(CancellationToken cancellationToken) =>
        await unitOfWork.RunAsync(
            async ct =>
            {
                var head = await log.HeadAsync(ct).ConfigureAwait(false);
                if (head is null)
                {
                    return null;
                }

                var now = time.GetUtcNow();
                var checkpoint = new ProvisionCheckpoint(head.Sequence, head.EntryHash, now, signer.Sign(ProvisionChain.CheckpointPayload(head.Sequence, head.EntryHash, now)));
                await log.AddCheckpointAsync(checkpoint, ct).ConfigureAwait(false);
                return checkpoint;
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>The most entries a full walk checks between progress reports.</summary>
    public const int MaxProgressEvery = 1_000_000;

    /// <summary>Entries between progress reports when the caller names none.</summary>
    public const int DefaultProgressEvery = 100_000;

    /// <summary>
    /// Verifies the chain from the newest checkpoint an earlier verification found intact through
    /// (its signature, that of that note, and its entry's hash checked again) to the head, then
    /// checks that the lookup by person answers disclosure requests from the entries walked (an
    /// entry it hides breaks a person's record as surely as an altered one), and that no other
    /// record of the hub has seen entries the chain no longer holds. Without such a checkpoint it
    /// walks the whole chain. Entries after the last checkpoint are intact as far as the chain
    /// shows, but nothing signed vouches for them yet: the result counts them.
    /// </summary>
    public async Task<ChainVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        // The hub's other records are read before the head: an honest hub never refers past it.
        var coverage = await log.CoverageAsync(cancellationToken).ConfigureAwait(false);
        var (start, checkpoints, verifiedAt) = await IncrementalStartAsync(cancellationToken).ConfigureAwait(false);
        var head = await HeadSequenceAsync(cancellationToken).ConfigureAwait(false);
        var walk = new ChainWalk(start, checkpoints, signer) { ReducedThrough = await log.ReducedThroughAsync(cancellationToken).ConfigureAwait(false) };
        await foreach (var entry in log.ReadRangeAsync(walk.FirstToRead, head, cancellationToken).ConfigureAwait(false))
        {
            if (!await CheckAsync(walk, entry, cancellationToken).ConfigureAwait(false))
            {
                break;
            }
        }

        var result = walk.Finish(head) with { Full = start.Sequence == 0, PrefixVerifiedAt = verifiedAt };
        return await ConcludeAsync(result, coverage, start.Sequence, start.VouchedThrough, walk.Position, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Walks the whole chain as <see cref="VerifyAsync"/> does, reporting progress after
    /// <paramref name="progressEvery"/> entries and at least every second, and the result last.
    /// Each progress carries a token that goes on from there (<paramref name="resumeToken"/>).
    /// </summary>
    public async IAsyncEnumerable<ChainWalkReport> WalkAsync(string? resumeToken, int progressEvery, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (progressEvery is < 0 or > MaxProgressEvery)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, $"progress_every_entries must be 0 (the hub's default) to {MaxProgressEvery}");
        }

        var now = time.GetUtcNow();
        var (start, startedAt) = string.IsNullOrEmpty(resumeToken) ? (ChainPosition.Genesis, now) : VerifyResumeToken.Open(resumeToken, now, signer);
        var coverage = await log.CoverageAsync(cancellationToken).ConfigureAwait(false);
        var checkpoints = await log.ListCheckpointsFromAsync(start.Sequence + 1, cancellationToken).ConfigureAwait(false);
        var head = await HeadSequenceAsync(cancellationToken).ConfigureAwait(false);
        var walk = new ChainWalk(start, checkpoints, signer) { ReducedThrough = await log.ReducedThroughAsync(cancellationToken).ConfigureAwait(false) };
        var every = progressEvery == 0 ? DefaultProgressEvery : progressEvery;
        var began = time.GetTimestamp();
        var (reportedAt, reportedEntries) = (began, start.EntriesChecked);
        await foreach (var entry in log.ReadRangeAsync(walk.FirstToRead, head, cancellationToken).ConfigureAwait(false))
        {
            if (!await CheckAsync(walk, entry, cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            var position = walk.Position;
            if (position.EntriesChecked - reportedEntries >= every || time.GetElapsedTime(reportedAt) >= TimeSpan.FromSeconds(1))
            {
                (reportedAt, reportedEntries) = (time.GetTimestamp(), position.EntriesChecked);
                var seconds = time.GetElapsedTime(began, reportedAt).TotalSeconds;
                var rate = seconds > 0 ? (position.EntriesChecked - start.EntriesChecked) / seconds : 0;
                yield return new ChainWalkReport(new ChainWalkProgress(position.EntriesChecked, position.Sequence, head, rate, VerifyResumeToken.Issue(position, startedAt, time.GetUtcNow(), signer)), null);
            }
        }

        var result = walk.Finish(head) with { PrefixVerifiedAt = start.Sequence == 0 ? null : startedAt };
        yield return new ChainWalkReport(null, await ConcludeAsync(result, coverage, 0, 0, walk.Position, cancellationToken).ConfigureAwait(false));
    }

    // Where an incremental verification starts: the newest verified checkpoint, when its note, its
    // signature and every checkpoint over its entry verify; else the first entry (a full walk sees
    // precisely whatever is wrong there).
    private async Task<(ChainPosition Start, IReadOnlyList<ProvisionCheckpoint> Checkpoints, DateTimeOffset? VerifiedAt)> IncrementalStartAsync(CancellationToken cancellationToken)
    {
        if (await log.LastVerifiedAsync(cancellationToken).ConfigureAwait(false) is { } verified
            && signer.Verify(ProvisionChain.VerifiedPayload(verified.Sequence, verified.EntryHash, verified.VerifiedAt), verified.Signature))
        {
            var checkpoints = await log.ListCheckpointsFromAsync(verified.Sequence, cancellationToken).ConfigureAwait(false);
            var anchors = checkpoints.Where(c => c.Sequence == verified.Sequence).ToList();
            if (anchors.Count > 0 && anchors.All(c => c.EntryHash == verified.EntryHash && signer.Verify(ProvisionChain.CheckpointPayload(c.Sequence, c.EntryHash, c.SignedAt), c.Signature)))
            {
                return (new ChainPosition(verified.Sequence, verified.EntryHash, 0, anchors.Count, verified.Sequence, verified.EntryHash), checkpoints, verified.VerifiedAt);
            }
        }

        return (ChainPosition.Genesis, await log.ListCheckpointsFromAsync(0, cancellationToken).ConfigureAwait(false), null);
    }

    // A retention run may reduce entries while a walk reads them: a hash that fails on an entry
    // naming no person is checked again against the reduction as stored now.
    private async Task<bool> CheckAsync(ChainWalk walk, ChainedProvision entry, CancellationToken cancellationToken)
    {
        if (walk.Check(entry))
        {
            return true;
        }

        if (!walk.MayBeReduced(entry))
        {
            return false;
        }

        walk.ReducedThrough = await log.ReducedThroughAsync(cancellationToken).ConfigureAwait(false);
        return entry.Sequence <= walk.ReducedThrough && walk.Retry(entry);
    }

    private async Task<long> HeadSequenceAsync(CancellationToken cancellationToken) =>
        (await log.HeadAsync(cancellationToken).ConfigureAwait(false))?.Sequence ?? 0;

    // Holds an intact walk against the hub's other records, then notes the newest checkpoint it
    // verified, so that the next verification starts there.
    private async Task<ChainVerification> ConcludeAsync(ChainVerification chain, LogCoverage coverage, long indexCheckedThrough, long alreadyVouched, ChainPosition end, CancellationToken cancellationToken)
    {
        if (!chain.Intact)
        {
            return chain;
        }

        if (coverage.HighestSequenceSeen > chain.ThroughSequence)
        {
            return Broken(chain.ThroughSequence + 1, $"the chain ends at entry {chain.ThroughSequence}, but {coverage.SeenBy} refers to entry {coverage.HighestSequenceSeen}: entries were removed from its end");
        }

        if (await log.FirstMisindexedAsync(indexCheckedThrough, cancellationToken).ConfigureAwait(false) is { } sequence)
        {
            return Broken(sequence, $"the lookup by person disagrees with entry {sequence}: a person asking for their record would not get that entry as the chain holds it");
        }

        if (end.VouchedThrough > alreadyVouched)
        {
            var now = time.GetUtcNow();
            var verified = new VerifiedCheckpoint(end.VouchedThrough, end.VouchedHash, now, signer.Sign(ProvisionChain.VerifiedPayload(end.VouchedThrough, end.VouchedHash, now)));
            // Not the caller's token: a walk that ended keeps its note even if the caller has left meanwhile.
            await unitOfWork.RunAsync(
                async ct =>
                {
                    await log.AddVerifiedAsync(verified, ct).ConfigureAwait(false);
                    return verified;
                },
                CancellationToken.None).ConfigureAwait(false);
        }

        return chain;

        ChainVerification Broken(long at, string problem) => chain with { Intact = false, FirstBrokenSequence = at, Problem = problem };
    }
}
