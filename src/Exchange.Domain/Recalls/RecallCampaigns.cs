using System.Globalization;
using Exchange.Contracts.V1;
using Exchange.Domain.Audit;
using Exchange.Domain.Declarations;
using Exchange.Domain.Feed;
using Exchange.Domain.Parties;
using Exchange.Domain.Provisions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Exchange.Domain.Recalls;

/// <summary>
/// Recall campaigns (docs/recall.md): the group body or an administrator publishes a campaign
/// version, which is matched at once against every garage's vehicles with indexed range lookups;
/// each affected vehicle's notice is stored in its garage's change feed, in the same transaction,
/// once the campaign's start date has come. Garages report each vehicle's progress; the group body
/// sees counts.
/// </summary>
public sealed class RecallCampaigns(
    IRecallStore store,
    IFeedStore feed,
    IUnitOfWork unitOfWork,
    IHubAuditLog audit,
    IPartyRegistryStore parties,
    IVendorAuthorisations authorisations,
    ILogSigner signer,
    TimeProvider time)
{
    /// <summary>The most affected vehicles one page lists.</summary>
    public const int MaxPage = 1000;

    // Notices stored per transaction when a start date comes: bounds one transaction's size.
    private const int QueueChunk = 5000;

    /// <summary>
    /// Registers a campaign as version 1 and matches it against every garage's vehicles, storing
    /// their notices at once when its start date has come, all in one transaction. Group body and
    /// administrators only; ALREADY_EXISTS when the recall number is taken.
    /// </summary>
    public Task<CampaignChange> CreateAsync(CallContext call, CampaignDefinition definition, CancellationToken cancellationToken) =>
        PublishAsync(call, definition, null, cancellationToken);

    /// <summary>
    /// Publishes the version after <paramref name="expectedVersion"/> and matches it: vehicles it adds
    /// are affected and notified; vehicles an earlier version matched stay affected. FAILED_PRECONDITION
    /// when <paramref name="expectedVersion"/> is not the current version.
    /// </summary>
    public Task<CampaignChange> ReviseAsync(CallContext call, CampaignDefinition definition, int expectedVersion, CancellationToken cancellationToken) =>
        PublishAsync(call, definition, expectedVersion, cancellationToken);

    /// <summary>Every campaign's current version, newest first.</summary>
    public async Task<IReadOnlyList<Campaign>> ListAsync(CancellationToken cancellationToken)
    {
        var campaigns = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        var counts = await store.AffectedCountsAsync(campaigns.Select(c => c.RecallNumber).ToList(), cancellationToken).ConfigureAwait(false);
        return campaigns.Select(c => ToMessage(c, counts.GetValueOrDefault(c.RecallNumber))).ToList();
    }

    /// <summary>One campaign's <paramref name="version"/> (0: the current one); NOT_FOUND when there is none.</summary>
    public async Task<Campaign> GetAsync(string recallNumber, int version, CancellationToken cancellationToken)
    {
        CampaignValidation.RequireRecallNumber(recallNumber);
        if (version < 0)
        {
            throw CampaignValidation.Invalid($"version {version} is negative; 0 asks for the current version");
        }

        var campaign = await FindAsync(recallNumber, version, cancellationToken).ConfigureAwait(false);
        var counts = await store.AffectedCountsAsync([recallNumber], cancellationToken).ConfigureAwait(false);
        return ToMessage(campaign, counts.GetValueOrDefault(recallNumber));
    }

    /// <summary>
    /// Counts by step reached, in total and by garage: every garage for the group body and
    /// administrators, the caller's own for a garage, none for a vendor. No personal data.
    /// </summary>
    public async Task<CampaignProgress> ProgressAsync(CallContext call, string recallNumber, CancellationToken cancellationToken)
    {
        CampaignValidation.RequireRecallNumber(recallNumber);
        var campaign = await FindAsync(recallNumber, 0, cancellationToken).ConfigureAwait(false);
        var caller = call.Caller;
        var counts = await store.CountsAsync(recallNumber, null, cancellationToken).ConfigureAwait(false);
        var progress = new CampaignProgress { RecallNumber = recallNumber, Version = campaign.Version, Total = Counts(counts) };
        var byGarage = counts.ToLookup(c => c.OwnerParty, StringComparer.Ordinal);
        if (caller.Role is PartyRole.GroupBody or PartyRole.Administrator)
        {
            var names = (await parties.ListAsync(null, null, cancellationToken).ConfigureAwait(false)).ToDictionary(p => p.Party.Id, p => p.Party.NameJa, StringComparer.Ordinal);
            progress.Garages.AddRange(byGarage.OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new GarageProgress { GarageParty = g.Key, GarageNameJa = names.GetValueOrDefault(g.Key, ""), Counts = Counts(g) }));
        }
        else if (caller.Role == PartyRole.MemberGarage)
        {
            progress.Garages.Add(new GarageProgress { GarageParty = caller.Id, GarageNameJa = caller.NameJa, Counts = Counts(byGarage[caller.Id]) });
        }

        return progress;
    }

    /// <summary>
    /// One page of a garage's affected vehicles: the caller's own, or, for a vendor, a garage that
    /// authorised it to read. The group body and administrators are refused: they see counts.
    /// </summary>
    public async Task<(IReadOnlyList<AffectedVehicle> Vehicles, string NextPageToken)> ListAffectedAsync(CallContext call, ListAffectedVehiclesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        CampaignValidation.RequireRecallNumber(request.RecallNumber);
        var now = time.GetUtcNow();
        var owner = await GarageForAsync(call, request.OwnerParty, VendorOperations.Read, now, cancellationToken).ConfigureAwait(false);
        if (request.PageSize is < 0 or > MaxPage)
        {
            throw CampaignValidation.Invalid($"page_size {request.PageSize} is outside 0 to {MaxPage} (0: {MaxPage})");
        }

        if (!System.Enum.IsDefined(request.Step))
        {
            throw CampaignValidation.Invalid($"step {(int)request.Step} is not a recall step");
        }

        await FindAsync(request.RecallNumber, 0, cancellationToken).ConfigureAwait(false);
        var binding = AffectedPageToken.Bind(call.Caller.Id, request.RecallNumber, owner, (int)request.Step);
        (string, string)? after = string.IsNullOrEmpty(request.PageToken) ? null : AffectedPageToken.Open(request.PageToken, binding, now, signer);
        var size = request.PageSize == 0 ? MaxPage : request.PageSize;
        var step = request.Step == RecallStep.Unspecified ? (int?)null : (int)request.Step;
        var page = await store.PageAsync(request.RecallNumber, owner, step, after, size + 1, cancellationToken).ConfigureAwait(false);
        var vehicles = page.Take(size).Select(ToMessage).ToList();
        var next = page.Count > size ? AffectedPageToken.Issue(binding, page[size - 1].CustomerRef, page[size - 1].VehicleRef, now, signer) : "";
        return (vehicles, next);
    }

    /// <summary>The garage took in the notice for the vehicle.</summary>
    public Task<AffectedVehicle> AcknowledgeAsync(CallContext call, string recallNumber, VehicleKey? vehicle, CancellationToken cancellationToken) =>
        ReportAsync(call, recallNumber, vehicle, new StepChange(RecallStep.Acknowledged, null, null, null), cancellationToken);

    /// <summary>The garage contacted the customer on <paramref name="contactedOn"/> by <paramref name="method"/>.</summary>
    public Task<AffectedVehicle> RecordContactAsync(CallContext call, string recallNumber, VehicleKey? vehicle, Date? contactedOn, ContactMethod method, CancellationToken cancellationToken)
    {
        var on = RecallDates.IsValid(contactedOn) ? RecallDates.ToInt(contactedOn!) : throw CampaignValidation.Invalid("contacted_on must be a valid date");
        return method is ContactMethod.Letter or ContactMethod.Phone or ContactMethod.Visit
            ? ReportAsync(call, recallNumber, vehicle, new StepChange(RecallStep.Contacted, on, (int)method, null), cancellationToken)
            : throw CampaignValidation.Invalid("method must be letter, phone or visit");
    }

    /// <summary>The garage carried out the remedy on <paramref name="repairedOn"/>.</summary>
    public Task<AffectedVehicle> MarkRepairedAsync(CallContext call, string recallNumber, VehicleKey? vehicle, Date? repairedOn, CancellationToken cancellationToken)
    {
        var on = RecallDates.IsValid(repairedOn) ? RecallDates.ToInt(repairedOn!) : throw CampaignValidation.Invalid("repaired_on must be a valid date");
        return ReportAsync(call, recallNumber, vehicle, new StepChange(RecallStep.Repaired, on, null, null), cancellationToken);
    }

    /// <summary>
    /// Stores the notices of every campaign whose start date has come and whose vehicles have none
    /// yet; run by every hub instance now and then. Each notice is keyed, so however many instances
    /// run at once, each is stored once. Returns how many vehicles' notices were stored.
    /// </summary>
    public async Task<int> QueueDueNoticesAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var recallNumber in await store.DueAsync(RecallDates.Today(time.GetUtcNow()), cancellationToken).ConfigureAwait(false))
        {
            int queued;
            do
            {
                queued = await unitOfWork.RunAsync(
                    async ct =>
                    {
                        var vehicles = await store.UnqueuedAsync(recallNumber, QueueChunk, ct).ConfigureAwait(false);
                        await QueueAsync(vehicles, time.GetUtcNow(), ct).ConfigureAwait(false);
                        return vehicles.Count;
                    },
                    cancellationToken).ConfigureAwait(false);
                total += queued;
            }
            while (queued == QueueChunk);
        }

        return total;
    }

    /// <summary>
    /// Matches written records' vehicles against every campaign, in the write's transaction: the
    /// vehicles a campaign now covers become affected (notified at once when it has started), and a
    /// repair order naming a campaign marks its affected vehicle repaired.
    /// </summary>
    internal async Task RecordWrittenAsync(IReadOnlyList<(Records.RecordChange Change, CustomerRecord Record)> written, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var vehicles = written.SelectMany(w => w.Record.Vehicles.Select(RecallVehicle.Of).OfType<RecallVehicle>().Select(v => (w.Change, Vehicle: v))).ToList();
        if (vehicles.Count > 0)
        {
            var numbers = await store.CoveringAsync(vehicles.Select(v => (v.Vehicle.Frame, v.Vehicle.Serial)).Distinct().ToList(), cancellationToken).ConfigureAwait(false);
            var matched = new List<NewAffectedVehicle>();
            var campaigns = new Dictionary<string, PublishedCampaign>(StringComparer.Ordinal);
            foreach (var number in numbers)
            {
                var campaign = (await store.FindAsync(number, 0, cancellationToken).ConfigureAwait(false))!;
                campaigns[number] = campaign;
                var criteria = CampaignCriteria.Of(campaign.Definition);
                matched.AddRange(vehicles.Where(v => criteria.Covers(v.Vehicle))
                    .Select(v => new NewAffectedVehicle(number, campaign.Version, v.Change.OwnerParty, v.Change.CustomerRef, v.Vehicle.VehicleRef, v.Change.SubjectId)));
            }

            if (matched.Count > 0)
            {
                var added = await store.AddAffectedAsync(matched, now, cancellationToken).ConfigureAwait(false);
                await store.AppendHistoryAsync(added.Select(a => AffectedStep(a, now, written[0].Change.CallId, "matched when the record was written")).ToList(), cancellationToken).ConfigureAwait(false);
                var today = RecallDates.Today(now);
                await QueueAsync(added.Where(a => RecallDates.ToInt(campaigns[a.RecallNumber].Definition.StartsOn) <= today).ToList(), now, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var (change, record) in written)
        {
            foreach (var order in record.Repairs.Where(r => r.RecallNumber.Length > 0))
            {
                var state = await store.FindVehicleAsync(order.RecallNumber, change.OwnerParty, change.CustomerRef, order.VehicleRef, cancellationToken).ConfigureAwait(false);
                if (state is null)
                {
                    continue;
                }

                var performed = order.Work.Where(w => RecallDates.IsValid(w.PerformedOn)).Select(w => RecallDates.ToInt(w.PerformedOn)).DefaultIfEmpty(RecallDates.Today(now)).Max();
                var actor = change.Agent ?? change.OwnerParty;
                await AdvanceAsync(state, new StepChange(RecallStep.Repaired, performed, null, order.OrderRef), actor, change.CallId, strict: false, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The notices of a page, sent: each vehicle is marked notified (once; a notice sent again changes
    /// nothing), with the call that sent it in its history.
    /// </summary>
    internal async Task MarkNotifiedAsync(CallContext call, IReadOnlyList<RecallNotice> sent, CancellationToken cancellationToken)
    {
        if (sent.Count == 0)
        {
            return;
        }

        await unitOfWork.RunAsync(
            async ct =>
            {
                foreach (var notice in sent)
                {
                    var key = notice.Vehicle;
                    if (await store.FindVehicleAsync(notice.Campaign.Definition.RecallNumber, key.OwnerParty, key.CustomerRef, key.VehicleRef, ct).ConfigureAwait(false) is { } state)
                    {
                        await AdvanceAsync(state, new StepChange(RecallStep.Notified, null, null, null), ProvisionFact.Hub, call.CallId, strict: false, ct).ConfigureAwait(false);
                    }
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The campaign version a notice names, as the notice carries it.</summary>
    internal async Task<Campaign?> DescribeAsync(string recallNumber, int version, CancellationToken cancellationToken)
    {
        var campaign = await store.FindAsync(recallNumber, version, cancellationToken).ConfigureAwait(false);
        if (campaign is null)
        {
            return null;
        }

        var counts = await store.AffectedCountsAsync([recallNumber], cancellationToken).ConfigureAwait(false);
        return ToMessage(campaign, counts.GetValueOrDefault(recallNumber));
    }

    private async Task<CampaignChange> PublishAsync(CallContext call, CampaignDefinition definition, int? expectedVersion, CancellationToken cancellationToken)
    {
        var caller = call.Caller;
        if (caller.Role is not (PartyRole.GroupBody or PartyRole.Administrator))
        {
            throw new ExchangeException(FailureKind.PermissionDenied, $"only the group body or an administrator publishes recall campaigns; '{caller.Id}' is a {caller.Role.ToWire()} (rule recall.publisher-only)", "recall.publisher-only");
        }

        CampaignValidation.Validate(definition);
        if (expectedVersion is < 1)
        {
            throw CampaignValidation.Invalid($"expected_version {expectedVersion} names no version; versions count from 1");
        }

        var number = definition.RecallNumber;
        var now = time.GetUtcNow();
        var version = (expectedVersion ?? 0) + 1;
        var campaign = new PublishedCampaign(definition.Clone(), version, caller.Id, now);
        var criteria = CampaignCriteria.Of(definition);
        var startsOn = RecallDates.ToInt(definition.StartsOn);
        var (newly, affected) = await unitOfWork.RunAsync(
            async ct =>
            {
                if (!await store.AddVersionAsync(campaign, criteria, startsOn, ct).ConfigureAwait(false))
                {
                    var current = await store.FindAsync(number, 0, ct).ConfigureAwait(false);
                    throw (expectedVersion, current) switch
                    {
                        (null, _) => new ExchangeException(FailureKind.AlreadyExists, $"recall number {Identifiers.Quote(number)} is taken by a campaign; revise it instead"),
                        (_, null) => new ExchangeException(FailureKind.NotFound, $"there is no campaign with recall number {Identifiers.Quote(number)}"),
                        _ => new ExchangeException(FailureKind.FailedPrecondition, $"campaign {Identifiers.Quote(number)} is at version {current.Version}, not {expectedVersion}; read it again and revise that version"),
                    };
                }

                var matched = await store.MatchAsync(number, version, criteria, now, ct).ConfigureAwait(false);
                await store.AppendHistoryAsync(matched.Select(m => AffectedStep(m, now, call.CallId, $"matched by version {version}")).ToList(), ct).ConfigureAwait(false);
                if (startsOn <= RecallDates.Today(now))
                {
                    await QueueAsync(matched, now, ct).ConfigureAwait(false);
                }

                var counts = await store.AffectedCountsAsync([number], ct).ConfigureAwait(false);
                var total = counts.GetValueOrDefault(number);
                var details = string.Create(CultureInfo.InvariantCulture, $"version {version} of {definition.Manufacturer}'s campaign; {definition.ChassisRanges.Count} chassis range(s), {definition.ModelCodes.Count} model code(s), starts {RecallDates.Format(startsOn)}; {matched.Count} vehicle(s) newly affected, {total} in all");
                await audit.AppendAsync(new HubAuditEvent(now, caller.Id, expectedVersion is null ? HubAuditActions.RecallCampaignCreated : HubAuditActions.RecallCampaignRevised, $"recall/{number}", details, call.StaffId), ct).ConfigureAwait(false);
                return (matched.Count, total);
            },
            cancellationToken).ConfigureAwait(false);
        return new CampaignChange { Campaign = ToMessage(campaign, affected), NewlyAffected = newly };
    }

    // Stores each vehicle's notice for its garage, keyed so that it is stored once whoever queues it.
    private async Task QueueAsync(IReadOnlyList<AffectedVehicleState> vehicles, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (vehicles.Count == 0)
        {
            return;
        }

        var occurred = Timestamp.FromDateTimeOffset(now);
        var entries = vehicles.Select(v =>
        {
            var message = new FeedEvent
            {
                OccurredAt = occurred,
                RecallNotice = new RecallNotice
                {
                    // The campaign's particulars are filled in when the notice is sent, so that a notice stays small.
                    Campaign = new Campaign { Definition = new CampaignDefinition { RecallNumber = v.RecallNumber }, Version = v.MatchedByVersion },
                    Vehicle = new VehicleKey { OwnerParty = v.OwnerParty, CustomerRef = v.CustomerRef, VehicleRef = v.VehicleRef },
                    SubjectId = v.SubjectId,
                },
            };
            return new FeedEntry(v.OwnerParty, FeedEventKind.RecallNotice, now, v.OwnerParty, v.CustomerRef, v.SubjectId, Purposes.Recall, [], message.ToByteArray(),
                $"recall:{v.RecallNumber}:{v.OwnerParty}:{v.CustomerRef}:{v.VehicleRef}");
        }).ToList();
        await feed.AppendAsync(entries, cancellationToken).ConfigureAwait(false);
        await store.MarkQueuedAsync(vehicles.Select(v => v.Id).ToList(), now, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AffectedVehicle> ReportAsync(CallContext call, string recallNumber, VehicleKey? vehicle, StepChange change, CancellationToken cancellationToken)
    {
        CampaignValidation.RequireRecallNumber(recallNumber);
        if (vehicle is null)
        {
            throw CampaignValidation.Invalid("vehicle is required");
        }

        Identifiers.RequireReference(vehicle.CustomerRef, "vehicle.customer_ref");
        Identifiers.RequireReference(vehicle.VehicleRef, "vehicle.vehicle_ref");
        var owner = await GarageForAsync(call, vehicle.OwnerParty, VendorOperations.Write, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var state = await unitOfWork.RunAsync(
            async ct =>
            {
                var state = await store.FindVehicleAsync(recallNumber, owner, vehicle.CustomerRef, vehicle.VehicleRef, ct).ConfigureAwait(false)
                    ?? throw new ExchangeException(FailureKind.NotFound, $"campaign {Identifiers.Quote(recallNumber)} does not affect vehicle {Identifiers.Quote(vehicle.VehicleRef)} of customer {Identifiers.Quote(vehicle.CustomerRef)} of '{owner}'");
                return await AdvanceAsync(state, change, call.Caller.Id, call.CallId, strict: true, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return ToMessage(state);
    }

    // Moves the vehicle to the step (never back), records the step in its history, and returns the state now.
    private async Task<AffectedVehicleState> AdvanceAsync(AffectedVehicleState state, StepChange change, string actor, string? callId, bool strict, CancellationToken cancellationToken)
    {
        // Read again when another instance changed it between the read and the write.
        for (var attempt = 0; ; attempt++)
        {
            var now = time.GetUtcNow();
            var (after, details) = Apply(state, change, now);
            if (after is null)
            {
                return strict ? throw new ExchangeException(FailureKind.FailedPrecondition, details!) : state;
            }

            if (after == state)
            {
                return state;
            }

            if (await store.UpdateAsync(state, after, cancellationToken).ConfigureAwait(false))
            {
                await store.AppendHistoryAsync([new RecallStepRecord(state.Id, (int)change.Step, now, actor, callId, details)], cancellationToken).ConfigureAwait(false);
                return after;
            }

            state = attempt < 3
                ? await store.FindVehicleAsync(state.RecallNumber, state.OwnerParty, state.CustomerRef, state.VehicleRef, cancellationToken).ConfigureAwait(false) ?? state
                : throw new ExchangeException(FailureKind.Aborted, "the vehicle's progress changed while it was recorded; send the step again");
        }
    }

    // The state after the step (the same when it was recorded already), or null and why when it contradicts what was recorded.
    private static (AffectedVehicleState? After, string? Details) Apply(AffectedVehicleState state, StepChange change, DateTimeOffset now)
    {
        var step = Math.Max(state.Step, (int)change.Step);
        switch (change.Step)
        {
            case RecallStep.Notified:
                return (state with { Step = step, NotifiedAt = state.NotifiedAt ?? now }, "notice sent through the change feed");
            case RecallStep.Acknowledged:
                return (state with { Step = step, AcknowledgedAt = state.AcknowledgedAt ?? now }, "notice acknowledged");
            case RecallStep.Contacted:
                var method = ((ContactMethod)change.Method!.Value).ToString().ToLowerInvariant();
                if (state.ContactedOn is { } contacted && (contacted != change.On || state.ContactMethod != change.Method))
                {
                    return (null, $"the contact was recorded already, on {RecallDates.Format(contacted)} by {((ContactMethod)(state.ContactMethod ?? 0)).ToString().ToLowerInvariant()}; a step is recorded once");
                }

                return (state with { Step = step, ContactedOn = change.On, ContactMethod = change.Method }, $"customer contacted on {RecallDates.Format(change.On!.Value)} by {method}");
            default:
                if (state.RepairedOn is { } repaired && (repaired != change.On || (change.OrderRef is not null && state.RepairOrderRef != change.OrderRef)))
                {
                    return (null, $"the remedy was recorded already, on {RecallDates.Format(repaired)}; a step is recorded once");
                }

                var order = change.OrderRef ?? state.RepairOrderRef;
                return (state with { Step = step, RepairedOn = change.On, RepairOrderRef = order }, $"repaired on {RecallDates.Format(change.On!.Value)}" + (order is null ? "" : $", repair order {order}"));
        }
    }

    // The garage whose vehicles the caller acts on: its own, or for a vendor one that authorised the operation.
    private async Task<string> GarageForAsync(CallContext call, string? ownerParty, string operation, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var caller = call.Caller;
        var owner = string.IsNullOrEmpty(ownerParty) ? caller.Id : ownerParty;
        Identifiers.RequirePartyId(owner, "owner_party");
        var allowed = caller.Role switch
        {
            PartyRole.MemberGarage => owner == caller.Id,
            PartyRole.Vendor => owner != caller.Id && (await authorisations.FindAsync(owner, caller.Id, cancellationToken).ConfigureAwait(false)).Any(a => a.Covers(operation, now)),
            _ => false,
        };
        return allowed
            ? owner
            : throw new ExchangeException(FailureKind.PermissionDenied, $"only the owning garage, or a vendor it authorised to {operation}, handles its affected vehicles; '{caller.Id}' may not for '{owner}' (the group body and administrators see counts: GetProgress) (rule recall.own-vehicles-only)", "recall.own-vehicles-only");
    }

    private async Task<PublishedCampaign> FindAsync(string recallNumber, int version, CancellationToken cancellationToken) =>
        await store.FindAsync(recallNumber, version, cancellationToken).ConfigureAwait(false)
        ?? throw new ExchangeException(FailureKind.NotFound, version == 0 ? $"there is no campaign with recall number {Identifiers.Quote(recallNumber)}" : $"campaign {Identifiers.Quote(recallNumber)} has no version {version}");

    private static RecallStepRecord AffectedStep(AffectedVehicleState vehicle, DateTimeOffset now, string? callId, string details) =>
        new(vehicle.Id, (int)RecallStep.Affected, now, ProvisionFact.Hub, callId, details);

    private static ProgressCounts Counts(IEnumerable<RecallStepCount> counts)
    {
        var list = counts.ToList();
        long AtLeast(RecallStep step) => list.Where(c => c.Step >= (int)step).Sum(c => c.Count);
        return new ProgressCounts
        {
            Affected = AtLeast(RecallStep.Affected),
            Notified = AtLeast(RecallStep.Notified),
            Acknowledged = AtLeast(RecallStep.Acknowledged),
            Contacted = AtLeast(RecallStep.Contacted),
            Repaired = AtLeast(RecallStep.Repaired),
        };
    }

    private static Campaign ToMessage(PublishedCampaign campaign, long affected) => new()
    {
        Definition = campaign.Definition.Clone(),
        Version = campaign.Version,
        PublishedBy = campaign.PublishedBy,
        PublishedAt = Timestamp.FromDateTimeOffset(campaign.PublishedAt),
        Affected = affected,
    };

    private static AffectedVehicle ToMessage(AffectedVehicleState state)
    {
        var message = new AffectedVehicle
        {
            RecallNumber = state.RecallNumber,
            Vehicle = new VehicleKey { OwnerParty = state.OwnerParty, CustomerRef = state.CustomerRef, VehicleRef = state.VehicleRef },
            MatchedByVersion = state.MatchedByVersion,
            Step = (RecallStep)state.Step,
            AffectedAt = Timestamp.FromDateTimeOffset(state.AffectedAt),
            ContactMethod = (ContactMethod)(state.ContactMethod ?? 0),
            RepairOrderRef = state.RepairOrderRef ?? "",
        };
        if (state.NotifiedAt is { } notified)
        {
            message.NotifiedAt = Timestamp.FromDateTimeOffset(notified);
        }

        if (state.AcknowledgedAt is { } acknowledged)
        {
            message.AcknowledgedAt = Timestamp.FromDateTimeOffset(acknowledged);
        }

        if (state.ContactedOn is { } contacted)
        {
            message.ContactedOn = RecallDates.ToDate(contacted);
        }

        if (state.RepairedOn is { } repaired)
        {
            message.RepairedOn = RecallDates.ToDate(repaired);
        }

        return message;
    }

    private sealed record StepChange(RecallStep Step, int? On, int? Method, string? OrderRef);
}
