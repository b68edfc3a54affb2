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

    /// <summary>
    /// Walks the whole chain and every checkpoint, then checks that the lookup by person answers
    /// disclosure requests from that chain (an entry it hides breaks a person's record as surely as
    /// an altered one), and that no other record of the hub has seen entries the chain no longer
    /// holds. Entries after the last checkpoint are intact as far as the chain shows, but nothing
    /// signed vouches for them yet: the result counts them.
    /// </summary>
    public async Task<ChainVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var checkpoints = await log.ListCheckpointsAsync(cancellationToken).ConfigureAwait(false);
        var chain = await ProvisionChain.VerifyAsync(log.ReadAllAsync(cancellationToken), checkpoints, signer, cancellationToken).ConfigureAwait(false);
        if (!chain.Intact)
        {
            return chain;
        }

        var coverage = await log.CoverageAsync(cancellationToken).ConfigureAwait(false);
        if (coverage.HighestSequenceSeen > chain.EntriesChecked)
        {
            return Broken(chain.EntriesChecked + 1, $"the chain ends at entry {chain.EntriesChecked}, but {coverage.SeenBy} refers to entry {coverage.HighestSequenceSeen}: entries were removed from its end");
        }

        if (await log.FirstMisindexedAsync(cancellationToken).ConfigureAwait(false) is { } sequence)
        {
            return Broken(sequence, $"the lookup by person disagrees with entry {sequence}: a person asking for their record would not get that entry as the chain holds it");
        }

        return chain;

        ChainVerification Broken(long at, string problem) => chain with { Intact = false, FirstBrokenSequence = at, Problem = problem };
    }
}
