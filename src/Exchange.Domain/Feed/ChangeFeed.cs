using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Exchange.Domain.Provisions;
using Exchange.Domain.Records;

namespace Exchange.Domain.Feed;

/// <summary>
/// A partner's subscription to its events: the stored ones after its position, then each new one
/// as it is stored. An event that carries a record (<see cref="RecordCorrected"/>) is decided for
/// the subscriber when it is sent, like a read, and its provision or refusal is committed to the
/// provision log before it goes out.
/// </summary>
public sealed class ChangeFeed(
    IFeedStore feed,
    DeclarationRegistry declarations,
    IGrantStore grants,
    ICustomerStore customers,
    IVendorAuthorisations authorisations,
    PolicyDecisions policy,
    IProvisionRecorder recorder,
    TimeProvider time)
{
    // Events read and decided at once: one statement and one log commit for a burst of events.
    private const int Page = 256;

    /// <summary>
    /// Checks the position <paramref name="request"/> asks for and returns the sequence to read
    /// after. A position older than what retention disposed of is refused with OUT_OF_RANGE.
    /// </summary>
    public async Task<long> StartAsync(CallContext call, SubscribeRequest request, CancellationToken cancellationToken)
    {
        var recipient = call.Caller.Id;
        switch (request.PositionCase)
        {
            case SubscribeRequest.PositionOneofCase.AfterSequence:
                var start = request.AfterSequence;
                var stored = await feed.HeadAsync(cancellationToken).ConfigureAwait(false);
                if (start < 0 || start > stored)
                {
                    throw new ExchangeException(FailureKind.InvalidArgument, $"after_sequence {start} names no event of this hub: it is 0 or the sequence of an event received (the newest is {stored})");
                }

                await RequireRetainedAsync(recipient, start, cancellationToken).ConfigureAwait(false);
                return start;
            case SubscribeRequest.PositionOneofCase.FromEarliest:
                return await feed.PrunedThroughAsync(recipient, cancellationToken).ConfigureAwait(false);
            default:
                return await feed.HeadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The caller's next events after <paramref name="after"/>, as they are to be sent, with the
    /// sequence to read after next; none when there are none yet (take <see cref="FeedHead.Next"/>
    /// before calling, to wait for more). The provisions and refusals of the events that carry a
    /// record are committed before this returns. OUT_OF_RANGE when retention overtook the position.
    /// </summary>
    public async Task<FeedPage> PageAsync(CallContext call, long after, CancellationToken cancellationToken)
    {
        var recipient = call.Caller.Id;
        var page = await feed.ReadAsync(recipient, after, Page, cancellationToken).ConfigureAwait(false);
        // Read after the page: pruning that committed before the page was read shows here.
        await RequireRetainedAsync(recipient, after, cancellationToken).ConfigureAwait(false);
        return page.Count == 0 ? new FeedPage([], after) : new FeedPage(await DeliverAsync(call, page, cancellationToken).ConfigureAwait(false), page[^1].Sequence);
    }

    private async Task RequireRetainedAsync(string recipient, long after, CancellationToken cancellationToken)
    {
        var pruned = await feed.PrunedThroughAsync(recipient, cancellationToken).ConfigureAwait(false);
        if (pruned > after)
        {
            throw new ExchangeException(FailureKind.OutOfRange, $"events after {after} were disposed of (retention): this hub keeps events after {pruned} for '{recipient}'; resynchronise, then subscribe from_latest or from_earliest");
        }
    }

    // The page's events as sent, each record decided now; the provisions and refusals committed before any goes out.
    private async Task<List<FeedEvent>> DeliverAsync(CallContext call, IReadOnlyList<StoredFeedEvent> page, CancellationToken cancellationToken)
    {
        var messages = new List<FeedEvent>(page.Count);
        var facts = new List<ProvisionFact>();
        Terms? terms = null;
        foreach (var stored in page)
        {
            var message = FeedEvent.Parser.ParseFrom(stored.Body);
            message.Sequence = stored.Sequence;
            if (message.RecordCorrected is { } corrected)
            {
                terms ??= await TermsAsync(call, cancellationToken).ConfigureAwait(false);
                var fact = await DecideAsync(terms, corrected, cancellationToken).ConfigureAwait(false);
                if (fact is null)
                {
                    // Deleted since: its deletion notice follows, and there is no record to send.
                    continue;
                }

                facts.Add(fact);
            }

            messages.Add(message);
        }

        if (facts.Count > 0)
        {
            await recorder.RecordAsync(facts, cancellationToken).ConfigureAwait(false);
        }

        return messages;
    }

    private async Task<Terms> TermsAsync(CallContext call, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var declaration = await declarations.InForceAsync(now, cancellationToken).ConfigureAwait(false);
        return new Terms(call, now, declaration, await grants.ListAsync(cancellationToken).ConfigureAwait(false));
    }

    // Fills in the record (or the rule that withholds it) and returns the entry to record, or null when the record is gone.
    private async Task<ProvisionFact?> DecideAsync(Terms terms, RecordCorrected corrected, CancellationToken cancellationToken)
    {
        var (call, now, declaration, grantList) = terms;
        var caller = call.Caller;
        var owner = corrected.OwnerParty;
        var requested = corrected.Items.ToList();
        corrected.DeclarationVersion = declaration.Version;
        ProvisionFact Fact(ProvisionOutcome outcome, IReadOnlyList<string> items, string? rule) =>
            new(now, owner, caller.Id, null, corrected.SubjectId, items, corrected.Purpose, declaration.Version, declaration.Hash, call.CallId, outcome, rule);
        ProvisionFact Withhold(string? rule)
        {
            corrected.WithheldRule = rule ?? "";
            corrected.Items.Clear();
            return Fact(ProvisionOutcome.Refused, requested, rule);
        }

        var authorised = caller.Role == PartyRole.Vendor
            && (await authorisations.FindAsync(owner, caller.Id, cancellationToken).ConfigureAwait(false)).Any(a => a.Covers(VendorOperations.Read, now));
        var decision = policy.Decide(new AccessRequest(caller, AccessKind.Read, corrected.Purpose, requested, owner, authorised), declaration, grantList);
        if (!decision.Permitted)
        {
            return Withhold(decision.Rule);
        }

        var (found, optedOut, ownerStatus) = await customers.FindForPurposeAsync(owner, corrected.CustomerRef, corrected.Purpose, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return null;
        }

        if (PolicyEngine.OwnerRefusal(owner, ownerStatus, corrected.Purpose) is { } ownerRefusal)
        {
            return Withhold(ownerRefusal.Rule);
        }

        if (optedOut && declaration.Purpose(corrected.Purpose) is { OptOutAllowed: true })
        {
            return Withhold(PolicyRules.PersonOptedOut);
        }

        var provided = CustomerRecords.Provide(found, decision.AllowedItems);
        corrected.Record = provided.Record;
        corrected.Items.Clear();
        corrected.Items.AddRange(provided.Items);
        return Fact(ProvisionOutcome.Provided, provided.Items, null);
    }

    private sealed record Terms(CallContext Call, DateTimeOffset Now, DeclarationRecord Declaration, IReadOnlyList<Policy.Grant> Grants);
}
