using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Exchange.Domain.Provisions;
using Exchange.Domain.Recalls;
using Exchange.Domain.Records;
using Google.Protobuf;

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
    RecallCampaigns recalls,
    TimeProvider time)
{
    // Events read and decided at once: one statement and one log commit for a burst of events.
    private const int Page = 256;

    // A recall notice carries the contact items and the vehicle's, as far as the garage's recall grant allows.
    private static readonly IReadOnlyList<string> RecallItems = ["contact", "vehicle"];

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
        var notified = new List<RecallNotice>();
        var campaigns = new Dictionary<(string, int), Campaign?>();
        Terms? terms = null;
        foreach (var stored in page)
        {
            var message = FeedEvent.Parser.ParseFrom(stored.Body);
            message.Sequence = stored.Sequence;
            if (message.RecordCorrected is { } corrected)
            {
                terms ??= await TermsAsync(call, cancellationToken).ConfigureAwait(false);
                var decided = await DecideAsync(terms, corrected.OwnerParty, corrected.CustomerRef, corrected.SubjectId, corrected.Purpose, corrected.Items.ToList(), null, cancellationToken).ConfigureAwait(false);
                if (decided is null)
                {
                    // Deleted since: its deletion notice follows, and there is no record to send.
                    continue;
                }

                corrected.DeclarationVersion = terms.Declaration.Version;
                (corrected.Record, corrected.WithheldRule) = (decided.Provided?.Record, decided.Fact.Rule ?? "");
                corrected.Items.Clear();
                corrected.Items.AddRange(decided.Provided?.Items ?? []);
                facts.Add(decided.Fact);
            }
            else if (message.RecallNotice is { } notice)
            {
                terms ??= await TermsAsync(call, cancellationToken).ConfigureAwait(false);
                var key = (notice.Campaign.Definition.RecallNumber, notice.Campaign.Version);
                if (!campaigns.TryGetValue(key, out var campaign))
                {
                    campaign = campaigns[key] = await recalls.DescribeAsync(key.RecallNumber, key.Version, cancellationToken).ConfigureAwait(false);
                }

                notice.Campaign = campaign ?? notice.Campaign;
                var vehicle = notice.Vehicle;
                var decided = await DecideAsync(terms, vehicle.OwnerParty, vehicle.CustomerRef, notice.SubjectId, Purposes.Recall, RecallItems, vehicle.VehicleRef, cancellationToken).ConfigureAwait(false)
                    ?? Decision.Withheld(terms, vehicle.OwnerParty, notice.SubjectId, Purposes.Recall, RecallItems, PolicyRules.RecallVehicleNotHeld);
                notice.DeclarationVersion = terms.Declaration.Version;
                (notice.Record, notice.WithheldRule) = (decided.Provided?.Record, decided.Fact.Rule ?? "");
                notice.Items.Clear();
                notice.Items.AddRange(decided.Provided?.Items ?? []);
                facts.Add(decided.Fact);
                if (decided.Provided is not null)
                {
                    notified.Add(notice);
                }
            }

            messages.Add(message);
        }

        if (facts.Count > 0)
        {
            await recorder.RecordAsync(facts, cancellationToken).ConfigureAwait(false);
        }

        // Once their provisions are committed: a vehicle is notified when its notice carried the record.
        await recalls.MarkNotifiedAsync(call, notified, cancellationToken).ConfigureAwait(false);
        return messages;
    }

    private async Task<Terms> TermsAsync(CallContext call, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var declaration = await declarations.InForceAsync(now, cancellationToken).ConfigureAwait(false);
        return new Terms(call, now, declaration, await grants.ListAsync(cancellationToken).ConfigureAwait(false));
    }

    // The customer's record decided for the subscriber like a read for the purpose: provided, or withheld
    // with the rule that refuses it now; null when the record (or, when one is named, the vehicle) is gone.
    private async Task<Decision?> DecideAsync(Terms terms, string owner, string customerRef, string subjectId, string purpose, IReadOnlyList<string> requested, string? vehicleRef, CancellationToken cancellationToken)
    {
        var (call, now, declaration, grantList) = terms;
        var caller = call.Caller;
        var authorised = caller.Role == PartyRole.Vendor
            && (await authorisations.FindAsync(owner, caller.Id, cancellationToken).ConfigureAwait(false)).Any(a => a.Covers(VendorOperations.Read, now));
        var decision = policy.Decide(new AccessRequest(caller, AccessKind.Read, purpose, requested, owner, authorised), declaration, grantList);
        if (!decision.Permitted)
        {
            return Decision.Withheld(terms, owner, subjectId, purpose, requested, decision.Rule);
        }

        var (found, optedOut, ownerStatus) = await customers.FindForPurposeAsync(owner, customerRef, purpose, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return null;
        }

        if (PolicyEngine.OwnerRefusal(owner, ownerStatus, purpose) is { } ownerRefusal)
        {
            return Decision.Withheld(terms, owner, subjectId, purpose, requested, ownerRefusal.Rule);
        }

        if (optedOut && declaration.Purpose(purpose) is { OptOutAllowed: true })
        {
            return Decision.Withheld(terms, owner, subjectId, purpose, requested, PolicyRules.PersonOptedOut);
        }

        if (vehicleRef is not null)
        {
            // Limited to the one vehicle the notice is about.
            var record = CustomerRecord.Parser.ParseFrom(found.Data);
            var vehicle = record.Vehicles.FirstOrDefault(v => v.VehicleRef == vehicleRef);
            if (vehicle is null)
            {
                return null;
            }

            record.Vehicles.Clear();
            record.Vehicles.Add(vehicle);
            found = found with { Data = record.ToByteArray() };
        }

        var provided = CustomerRecords.Provide(found, decision.AllowedItems);
        return new Decision(new ProvisionFact(now, owner, caller.Id, null, subjectId, provided.Items, purpose, declaration.Version, declaration.Hash, call.CallId, ProvisionOutcome.Provided, null, call.StaffId), provided);
    }

    private sealed record Decision(ProvisionFact Fact, ProvidedRecord? Provided)
    {
        public static Decision Withheld(Terms terms, string owner, string subjectId, string purpose, IReadOnlyList<string> requested, string? rule) =>
            new(new ProvisionFact(terms.Now, owner, terms.Call.Caller.Id, null, subjectId, requested, purpose, terms.Declaration.Version, terms.Declaration.Hash, terms.Call.CallId, ProvisionOutcome.Refused, rule, terms.Call.StaffId), null);
    }

    private sealed record Terms(CallContext Call, DateTimeOffset Now, DeclarationRecord Declaration, IReadOnlyList<Policy.Grant> Grants);
}
