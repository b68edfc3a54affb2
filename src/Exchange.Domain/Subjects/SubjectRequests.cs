using System.Globalization;
using System.Security.Cryptography;
using Exchange.Contracts.V1;
using Exchange.Domain.Audit;
using Exchange.Domain.Declarations;
using Exchange.Domain.Feed;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Exchange.Domain.Provisions;
using Exchange.Domain.Records;
using Google.Protobuf.WellKnownTypes;

namespace Exchange.Domain.Subjects;

/// <summary>
/// A person's requests (本人からの請求), relayed by their garage (or a vendor it authorised to write)
/// or by an inquiry desk (the group body, administrators): recorded with their identity
/// verification, executed at the hub through the existing write, delete and opt-out paths, and
/// carried to every partner that received the data through the change feed, each partner's
/// acknowledgement tracked and the missing ones reminded. Every step is in the hub's audit log
/// under <c>subject-request/&lt;id&gt;</c>, with subject IDs and never an item's value.
/// </summary>
public sealed class SubjectRequests(
    ISubjectRequestStore store,
    ICustomerStore customers,
    CustomerRecords records,
    IFeedStore feed,
    IUnitOfWork unitOfWork,
    IVendorAuthorisations authorisations,
    IPartyDirectory parties,
    DeclarationRegistry declarations,
    SubjectPseudonyms pseudonyms,
    IHubAuditLog audit,
    SubjectSettings settings,
    TimeProvider time)
{
    /// <summary>The purpose a disclosure to the person is recorded under.</summary>
    public const string DisclosurePurpose = "subject-request";

    /// <summary>The rule refusing a party that may not relay or read a request.</summary>
    public const string NotRelayingRule = "subject-request.not-relaying-party";

    /// <summary>The rule refusing an acknowledgement by a party the propagation was not sent to.</summary>
    public const string NotRecipientRule = "subject-request.not-propagation-recipient";

    /// <summary>The rule refusing a step the request's status does not allow.</summary>
    public const string StatusRule = "subject-request.status";

    /// <summary>The most requests one listing returns.</summary>
    public const int MaxList = 1000;

    private const int ReminderBatch = 500;

    /// <summary>Records a person's request relayed by the caller.</summary>
    public async Task<SubjectRequest> OpenAsync(CallContext call, OpenRequestRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var now = time.GetUtcNow();
        var declaration = await declarations.InForceAsync(now, cancellationToken).ConfigureAwait(false);
        SubjectRequestValidation.CheckOpen(request, declaration, now);
        foreach (var owner in request.Records.Select(r => r.OwnerParty).Distinct(StringComparer.Ordinal))
        {
            if (!await MayRelayForAsync(call.Caller, owner, now, cancellationToken).ConfigureAwait(false))
            {
                throw NotRelaying(call.Caller, owner);
            }
        }

        foreach (var key in request.Records)
        {
            _ = await customers.FindAsync(key.OwnerParty, key.CustomerRef, cancellationToken).ConfigureAwait(false)
                ?? throw new ExchangeException(FailureKind.NotFound, $"'{key.OwnerParty}' holds no customer {Identifiers.Quote(key.CustomerRef)}");
        }

        var opened = new SubjectRequest
        {
            Id = "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            Kind = request.Kind,
            Status = SubjectRequestStatus.Received,
            OpenedBy = call.Caller.Id,
            OpenedAt = Timestamp.FromDateTimeOffset(now),
            Correction = request.Correction,
        };
        opened.Records.AddRange(request.Records.Select(r => new CustomerKey { OwnerParty = r.OwnerParty, CustomerRef = r.CustomerRef }));
        opened.SubjectIds.AddRange(request.Records.Select(r => pseudonyms.SubjectOf(r.OwnerParty, r.CustomerRef)));
        opened.Purposes.AddRange(request.Purposes);
        if (request.Verification is { } verification)
        {
            opened.Verification = Recorded(verification, call.Caller);
            opened.Status = SubjectRequestStatus.Verified;
        }

        await unitOfWork.RunAsync(
            async ct =>
            {
                await store.AddAsync(opened, ct).ConfigureAwait(false);
                var details = $"kind {KindName(opened.Kind)}; subjects {string.Join(", ", opened.SubjectIds)}; owners {string.Join(", ", opened.Records.Select(r => r.OwnerParty).Distinct(StringComparer.Ordinal))}"
                    + (opened.Verification is null ? "; not verified yet" : $"; verified ({MethodName(opened.Verification.Method)})");
                await AuditAsync(now, call, HubAuditActions.SubjectRequestOpened, opened.Id, details, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return opened;
    }

    /// <summary>Records the identity verification of a request not yet executed or refused.</summary>
    public async Task<SubjectRequest> RecordVerificationAsync(CallContext call, string requestId, IdentityVerification? verification, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        SubjectRequestValidation.CheckVerification(verification, "verification", now);
        var request = await ForStepAsync(call, requestId, now, cancellationToken).ConfigureAwait(false);
        RequireStatus(request, "record a verification for", SubjectRequestStatus.Received, SubjectRequestStatus.Verified);
        request.Verification = Recorded(verification!, call.Caller);
        request.Status = SubjectRequestStatus.Verified;
        await SaveAsync(request, now, call, HubAuditActions.SubjectRequestVerified, $"method {MethodName(request.Verification.Method)}", cancellationToken).ConfigureAwait(false);
        return request;
    }

    /// <summary>Refuses a request not yet executed, on a ground the policies allow.</summary>
    public async Task<SubjectRequest> RefuseAsync(CallContext call, string requestId, RefusalGround ground, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        SubjectRequestValidation.CheckRequestId(requestId);
        CheckGround(ground, "ground");
        SubjectRequestValidation.CheckText(reason, "reason", SubjectRequestValidation.MaxText, required: true);
        var request = await ForStepAsync(call, requestId, now, cancellationToken).ConfigureAwait(false);
        RequireStatus(request, "refuse", SubjectRequestStatus.Received, SubjectRequestStatus.Verified);
        request.Status = SubjectRequestStatus.Refused;
        request.RefusalGround = ground;
        request.RefusalReason = reason;
        request.CompletedAt = Timestamp.FromDateTimeOffset(now);
        await SaveAsync(request, now, call, HubAuditActions.SubjectRequestRefused, $"ground {GroundName(ground)}", cancellationToken).ConfigureAwait(false);
        return request;
    }

    /// <summary>One request, for a party that may read it.</summary>
    public async Task<SubjectRequest> GetAsync(CallContext call, string requestId, CancellationToken cancellationToken)
    {
        SubjectRequestValidation.CheckRequestId(requestId);
        var request = await FindAsync(requestId, cancellationToken).ConfigureAwait(false);
        return MayRead(call.Caller, request) ? request : throw NotRelaying(call.Caller, null);
    }

    /// <summary>The requests the caller may read, newest first, and a token for the next page.</summary>
    public async Task<(IReadOnlyList<SubjectRequest> Requests, string NextPageToken)> ListAsync(CallContext call, ListRequestsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Limit is < 0 or > MaxList)
        {
            throw SubjectRequestValidation.Malformed("limit", $"must be 0 (100) to {MaxList}, not {request.Limit}");
        }

        if (!System.Enum.IsDefined(request.Status))
        {
            throw SubjectRequestValidation.Malformed("status", $"{(int)request.Status} is not a status");
        }

        if (request.OwnerParty.Length > 0 && !Identifiers.IsPartyId(request.OwnerParty))
        {
            throw SubjectRequestValidation.Malformed("owner_party", $"{Identifiers.Quote(request.OwnerParty)} is not a party ID");
        }

        long? before = null;
        if (request.PageToken.Length > 0)
        {
            before = long.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out var position) && position > 0
                ? position
                : throw SubjectRequestValidation.Malformed("page_token", "is not a token this listing issued");
        }

        var caller = call.Caller;
        var readableBy = caller.Role is PartyRole.GroupBody or PartyRole.Administrator ? null : caller.Id;
        var query = new SubjectRequestQuery(readableBy, request.Status == SubjectRequestStatus.Unspecified ? null : request.Status,
            request.OwnerParty.Length > 0 ? request.OwnerParty : null, request.Limit == 0 ? 100 : request.Limit, before);
        var (found, next) = await store.ListAsync(query, cancellationToken).ConfigureAwait(false);
        return (found, next?.ToString(CultureInfo.InvariantCulture) ?? "");
    }

    /// <summary>
    /// Executes a verified correction, deletion or cessation: applies it at the hub and sends it to
    /// every partner that received the affected data, recording one propagation per partner, all in
    /// the transaction of the change. A request that reaches no partner completes at once.
    /// </summary>
    public async Task<SubjectRequest> ExecuteAsync(CallContext call, string requestId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var request = await ForStepAsync(call, requestId, now, cancellationToken).ConfigureAwait(false);
        if (request.Kind is SubjectRequestKind.DiscloseHeldData or SubjectRequestKind.DiscloseProvisions)
        {
            throw new ExchangeException(FailureKind.FailedPrecondition, $"a disclosure is executed by {(request.Kind == SubjectRequestKind.DiscloseHeldData ? "GetHeldData" : "GetProvisionReport")} (rule {StatusRule})", StatusRule);
        }

        RequireExecutable(request);
        foreach (var owner in request.Records.Select(r => r.OwnerParty).Distinct(StringComparer.Ordinal))
        {
            var party = await parties.FindAsync(owner, cancellationToken).ConfigureAwait(false);
            if (PolicyEngine.OwnerRefusal(owner, party?.Status, Purposes.AfterSales) is { } refusal)
            {
                throw new ExchangeException(FailureKind.FailedPrecondition, $"{refusal.Reason}; the request cannot be executed now (rule {refusal.Rule})", refusal.Rule);
            }
        }

        Task AfterAsync(CancellationToken ct) => RecordPropagationsAsync(call, request, now, ct);
        switch (request.Kind)
        {
            case SubjectRequestKind.Correction:
                var key = request.Records[0];
                var stored = await customers.FindAsync(key.OwnerParty, key.CustomerRef, cancellationToken).ConfigureAwait(false)
                    ?? throw new ExchangeException(FailureKind.NotFound, $"'{key.OwnerParty}' holds no customer {Identifiers.Quote(key.CustomerRef)} any more");
                var corrected = CorrectionMerge.Apply(CustomerRecord.Parser.ParseFrom(stored.Data), request.Correction);
                await records.ApplyForRequestAsync(request.Id, [new RequestWrite(await WriterAsync(call, key.OwnerParty, cancellationToken).ConfigureAwait(false), [corrected], [])], AfterAsync, cancellationToken).ConfigureAwait(false);
                break;
            case SubjectRequestKind.Deletion:
                var writes = new List<RequestWrite>();
                foreach (var owned in request.Records.GroupBy(r => r.OwnerParty, StringComparer.Ordinal))
                {
                    writes.Add(new RequestWrite(await WriterAsync(call, owned.Key, cancellationToken).ConfigureAwait(false), [], owned.ToList()));
                }

                await records.ApplyForRequestAsync(request.Id, writes, AfterAsync, cancellationToken).ConfigureAwait(false);
                break;
            default:
                await StopProcessingAsync(call, request, now, AfterAsync, cancellationToken).ConfigureAwait(false);
                break;
        }

        return request;
    }

    /// <summary>A partner's acknowledgement of the propagation sent to it; a second one returns the first.</summary>
    public async Task<Propagation> AcknowledgeAsync(CallContext call, AcknowledgePropagationRequest acknowledgement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(acknowledgement);
        SubjectRequestValidation.CheckRequestId(acknowledgement.RequestId);
        switch (acknowledgement.Outcome)
        {
            case PropagationOutcome.Applied:
                if (acknowledgement.RefusalGround != RefusalGround.Unspecified || acknowledgement.RefusalReason.Length > 0)
                {
                    throw SubjectRequestValidation.Malformed("refusal_ground", "and refusal_reason are given only with PROPAGATION_OUTCOME_NOT_APPLIED");
                }

                break;
            case PropagationOutcome.NotApplied:
                CheckGround(acknowledgement.RefusalGround, "refusal_ground");
                SubjectRequestValidation.CheckText(acknowledgement.RefusalReason, "refusal_reason", SubjectRequestValidation.MaxText, required: true);
                break;
            default:
                throw SubjectRequestValidation.Malformed("outcome", "must be PROPAGATION_OUTCOME_APPLIED or PROPAGATION_OUTCOME_NOT_APPLIED");
        }

        var request = await FindAsync(acknowledgement.RequestId, cancellationToken).ConfigureAwait(false);
        var propagation = request.Propagations.FirstOrDefault(p => p.Partner == call.Caller.Id)
            ?? throw new ExchangeException(FailureKind.PermissionDenied, $"request {request.Id} was not sent to '{call.Caller.Id}': only the partner a propagation was sent to acknowledges it (rule {NotRecipientRule})", NotRecipientRule);
        if (propagation.Outcome != PropagationOutcome.Pending)
        {
            return propagation;
        }

        var now = time.GetUtcNow();
        propagation.Outcome = acknowledgement.Outcome;
        propagation.AcknowledgedAt = Timestamp.FromDateTimeOffset(now);
        propagation.RefusalGround = acknowledgement.RefusalGround;
        propagation.RefusalReason = acknowledgement.RefusalReason;
        var first = await unitOfWork.RunAsync(
            async ct =>
            {
                if (!await store.AcknowledgeAsync(propagation, ct).ConfigureAwait(false))
                {
                    return false;
                }

                var details = $"partner {propagation.Partner}; outcome {(propagation.Outcome == PropagationOutcome.Applied ? "applied" : $"not applied ({GroundName(propagation.RefusalGround)})")}";
                await AuditAsync(now, call, HubAuditActions.SubjectRequestAcknowledged, request.Id, details, ct).ConfigureAwait(false);
                if (request.Propagations.All(p => p.Outcome != PropagationOutcome.Pending))
                {
                    request.Status = SubjectRequestStatus.Completed;
                    request.CompletedAt = Timestamp.FromDateTimeOffset(now);
                    await store.UpdateAsync(request, ct).ConfigureAwait(false);
                    await AuditAsync(now, call, HubAuditActions.SubjectRequestCompleted, request.Id, $"acknowledged by {request.Propagations.Count} partner(s)", ct).ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
        // Another call acknowledged it first: its acknowledgement stands.
        return first ? propagation : (await FindAsync(request.Id, cancellationToken).ConfigureAwait(false)).Propagations.First(p => p.Partner == call.Caller.Id);
    }

    /// <summary>Sends a reminder to each partner whose propagation is due for one; returns how many were sent.</summary>
    public async Task<int> RemindAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = await store.DueForReminderAsync(now, ReminderBatch, cancellationToken).ConfigureAwait(false);
        if (due.Count == 0)
        {
            return 0;
        }

        return await unitOfWork.RunAsync(
            async ct =>
            {
                await feed.AppendAsync(due.Select(p => FeedEntries.PropagationReminder(p.Partner, p.RequestId, p.FeedSequence, p.SentAt.ToDateTimeOffset(), p.Reminders + 1, now)).ToList(), ct).ConfigureAwait(false);
                var sent = 0;
                foreach (var propagation in due)
                {
                    if (await store.CountReminderAsync(propagation.RequestId, propagation.Partner, propagation.Reminders, now, now + settings.ReminderAfter, ct).ConfigureAwait(false))
                    {
                        sent++;
                        await audit.AppendAsync(new HubAuditEvent(now, HubAuditEvent.HubActor, HubAuditActions.SubjectRequestReminded, AuditSubject(propagation.RequestId), $"partner {propagation.Partner}; reminder {propagation.Reminders + 1}; feed event {propagation.FeedSequence}"), ct).ConfigureAwait(false);
                    }
                }

                return sent;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A verified disclosure request of <paramref name="kind"/> the caller may act on, for
    /// GetHeldData and GetProvisionReport (a completed one may be answered again).
    /// </summary>
    internal async Task<SubjectRequest> ForDisclosureAsync(CallContext call, string requestId, SubjectRequestKind kind, CancellationToken cancellationToken)
    {
        var request = await ForStepAsync(call, requestId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (request.Kind != kind)
        {
            throw new ExchangeException(FailureKind.FailedPrecondition, $"request {request.Id} is a {KindName(request.Kind)} request, not a {KindName(kind)} one (rule {StatusRule})", StatusRule);
        }

        if (request.Status != SubjectRequestStatus.Completed)
        {
            RequireExecutable(request);
        }

        return request;
    }

    /// <summary>Marks a disclosure completed and audits it, in the current unit of work.</summary>
    internal async Task CompleteDisclosureAsync(CallContext call, SubjectRequest request, DateTimeOffset now, string details, CancellationToken cancellationToken)
    {
        request.Status = SubjectRequestStatus.Completed;
        request.ExecutedAt ??= Timestamp.FromDateTimeOffset(now);
        request.CompletedAt = Timestamp.FromDateTimeOffset(now);
        await store.UpdateAsync(request, cancellationToken).ConfigureAwait(false);
        await AuditAsync(now, call, HubAuditActions.SubjectRequestDisclosed, request.Id, details, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The kind's wire name, e.g. "deletion".</summary>
    public static string KindName(SubjectRequestKind kind) => kind switch
    {
        SubjectRequestKind.DiscloseHeldData => "disclose-held-data",
        SubjectRequestKind.DiscloseProvisions => "disclose-provisions",
        SubjectRequestKind.Correction => "correction",
        SubjectRequestKind.Deletion => "deletion",
        SubjectRequestKind.CessationOfUse => "cessation-of-use",
        SubjectRequestKind.CessationOfProvision => "cessation-of-provision",
        _ => "unspecified",
    };

    private async Task StopProcessingAsync(CallContext call, SubjectRequest request, DateTimeOffset now, Func<CancellationToken, Task> after, CancellationToken cancellationToken)
    {
        var declaration = await declarations.InForceAsync(now, cancellationToken).ConfigureAwait(false);
        // "recall" can never be opted out of, so it is never among them: recall notices keep flowing.
        var purposes = request.Kind == SubjectRequestKind.CessationOfUse || request.Purposes.Count == 0
            ? declaration.Content.Purposes.Where(p => p.OptOutAllowed).Select(p => p.Id).ToList()
            : request.Purposes.Where(p => declaration.Purpose(p) is { OptOutAllowed: true }).ToList();
        await unitOfWork.RunAsync(
            async ct =>
            {
                for (var i = 0; i < request.Records.Count; i++)
                {
                    foreach (var purpose in purposes)
                    {
                        await records.RecordOptOutAsync(call, request.Records[i].OwnerParty, request.SubjectIds[i], purpose, optedOut: true, declaration, now, ct).ConfigureAwait(false);
                    }
                }

                var earlier = (await feed.EarlierProvisionsAsync(request.SubjectIds.Distinct(StringComparer.Ordinal).ToList(), ct).ConfigureAwait(false)).ToLookup(e => e.SubjectId, StringComparer.Ordinal);
                var entries = new List<FeedEntry>();
                for (var i = 0; i < request.Records.Count; i++)
                {
                    var key = request.Records[i];
                    var partners = earlier[request.SubjectIds[i]]
                        .Where(e => e.Provider == key.OwnerParty && e.Recipient != key.OwnerParty && purposes.Contains(e.Purpose))
                        .GroupBy(e => e.Recipient, StringComparer.Ordinal)
                        .OrderBy(g => g.Key, StringComparer.Ordinal);
                    entries.AddRange(partners.Select(g => FeedEntries.ProcessingStopped(g.Key, key.OwnerParty, key.CustomerRef, request.SubjectIds[i],
                        g.Select(e => e.Purpose).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(), request.Id, now)));
                }

                if (entries.Count > 0)
                {
                    await feed.AppendAsync(entries, ct).ConfigureAwait(false);
                }

                await after(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    // Runs in the change's transaction: one propagation per partner the feed events went to.
    private async Task RecordPropagationsAsync(CallContext call, SubjectRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sent = await feed.SentForRequestAsync(request.Id, cancellationToken).ConfigureAwait(false);
        var propagations = sent.GroupBy(e => e.Recipient, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new Propagation
        {
            RequestId = request.Id,
            Partner = g.Key,
            FeedSequence = g.Min(e => e.Sequence),
            SentAt = Timestamp.FromDateTimeOffset(g.Min(e => e.StoredAt)),
            Outcome = PropagationOutcome.Pending,
        }).ToList();
        if (propagations.Count > 0)
        {
            await store.AddPropagationsAsync(propagations, now + settings.ReminderAfter, cancellationToken).ConfigureAwait(false);
        }

        request.Propagations.Clear();
        request.Propagations.AddRange(propagations);
        request.ExecutedAt = Timestamp.FromDateTimeOffset(now);
        request.Status = propagations.Count == 0 ? SubjectRequestStatus.Completed : SubjectRequestStatus.Propagating;
        request.CompletedAt = propagations.Count == 0 ? Timestamp.FromDateTimeOffset(now) : null;
        await store.UpdateAsync(request, cancellationToken).ConfigureAwait(false);
        var details = $"kind {KindName(request.Kind)}; subjects {string.Join(", ", request.SubjectIds)}; sent to {(propagations.Count == 0 ? "no partner" : string.Join(", ", propagations.Select(p => $"{p.Partner} (feed event {p.FeedSequence})")))}";
        await AuditAsync(now, call, HubAuditActions.SubjectRequestExecuted, request.Id, details, cancellationToken).ConfigureAwait(false);
    }

    // The call a correction or deletion is written as: the caller's when it is the owner or its
    // vendor, else (an inquiry desk) the owning garage's, whose after-sales write it is.
    private async Task<CallContext> WriterAsync(CallContext call, string owner, CancellationToken cancellationToken)
    {
        if (call.Caller.Role is PartyRole.MemberGarage or PartyRole.Vendor)
        {
            return call;
        }

        var party = await parties.FindAsync(owner, cancellationToken).ConfigureAwait(false)
            ?? throw new ExchangeException(FailureKind.FailedPrecondition, $"'{owner}' is not a party registered at the hub (rule {PolicyRules.OwnerUnregistered})", PolicyRules.OwnerUnregistered);
        return call with { Caller = party };
    }

    private async Task<SubjectRequest> ForStepAsync(CallContext call, string requestId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        SubjectRequestValidation.CheckRequestId(requestId);
        var request = await FindAsync(requestId, cancellationToken).ConfigureAwait(false);
        if (!await MayActAsync(call.Caller, request, now, cancellationToken).ConfigureAwait(false))
        {
            throw NotRelaying(call.Caller, null);
        }

        return request;
    }

    private async Task<SubjectRequest> FindAsync(string requestId, CancellationToken cancellationToken) =>
        await store.FindAsync(requestId, cancellationToken).ConfigureAwait(false)
            ?? throw new ExchangeException(FailureKind.NotFound, $"no request {Identifiers.Quote(requestId)}");

    private async Task SaveAsync(SubjectRequest request, DateTimeOffset now, CallContext call, string action, string details, CancellationToken cancellationToken) =>
        await unitOfWork.RunAsync(
            async ct =>
            {
                await store.UpdateAsync(request, ct).ConfigureAwait(false);
                await AuditAsync(now, call, action, request.Id, details, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);

    private Task AuditAsync(DateTimeOffset now, CallContext call, string action, string requestId, string details, CancellationToken cancellationToken) =>
        audit.AppendAsync(new HubAuditEvent(now, call.Caller.Id, action, AuditSubject(requestId), details, call.StaffId), cancellationToken);

    private static string AuditSubject(string requestId) => $"subject-request/{requestId}";

    // A garage for its own customers, a vendor for a garage that authorised it to write, the inquiry desks for any.
    private async Task<bool> MayRelayForAsync(Party caller, string owner, DateTimeOffset now, CancellationToken cancellationToken) => caller.Role switch
    {
        PartyRole.GroupBody or PartyRole.Administrator => true,
        PartyRole.MemberGarage => caller.Id == owner,
        PartyRole.Vendor => (await authorisations.FindAsync(owner, caller.Id, cancellationToken).ConfigureAwait(false)).Any(a => a.Covers(VendorOperations.Write, now)),
        _ => false,
    };

    private static bool MayRead(Party caller, SubjectRequest request) =>
        caller.Role is PartyRole.GroupBody or PartyRole.Administrator
        || request.OpenedBy == caller.Id
        || request.Records.Any(r => r.OwnerParty == caller.Id);

    // Readers act on a request too; a vendor only while every owner still authorises it to write.
    private async Task<bool> MayActAsync(Party caller, SubjectRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!MayRead(caller, request))
        {
            return false;
        }

        foreach (var owner in request.Records.Select(r => r.OwnerParty).Distinct(StringComparer.Ordinal))
        {
            if (caller.Role == PartyRole.Vendor && !await MayRelayForAsync(caller, owner, now, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    private static ExchangeException NotRelaying(Party caller, string? owner) =>
        new(FailureKind.PermissionDenied, owner is null
            ? $"'{caller.Id}' neither relayed this request nor owns its records (rule {NotRelayingRule})"
            : $"{caller.Role.ToWire()} '{caller.Id}' may not relay requests about '{owner}''s customers: a garage relays its own, a vendor a garage's that authorised it to write, the group body and administrators any (rule {NotRelayingRule})", NotRelayingRule);

    private static void RequireStatus(SubjectRequest request, string step, params SubjectRequestStatus[] allowed)
    {
        if (!allowed.Contains(request.Status))
        {
            throw new ExchangeException(FailureKind.FailedPrecondition, $"cannot {step} request {request.Id}: it is {StatusName(request.Status)} (rule {StatusRule})", StatusRule);
        }
    }

    private static void RequireExecutable(SubjectRequest request)
    {
        if (request.Status == SubjectRequestStatus.Received)
        {
            throw new ExchangeException(FailureKind.FailedPrecondition, $"request {request.Id} has no recorded identity verification: record one first (rule {StatusRule})", StatusRule);
        }

        RequireStatus(request, "execute", SubjectRequestStatus.Verified);
    }

    private static void CheckGround(RefusalGround ground, string field)
    {
        if (ground == RefusalGround.Unspecified || !System.Enum.IsDefined(ground))
        {
            throw SubjectRequestValidation.Malformed(field, $"must name a ground the policies allow, not {(int)ground}");
        }
    }

    private static IdentityVerification Recorded(IdentityVerification verification, Party caller)
    {
        var recorded = verification.Clone();
        recorded.RecordedBy = caller.Id;
        return recorded;
    }

    private static string StatusName(SubjectRequestStatus status) => status.ToString().ToLowerInvariant();

    private static string MethodName(VerificationMethod method) => method.ToString();

    private static string GroundName(RefusalGround ground) => ground.ToString();
}
