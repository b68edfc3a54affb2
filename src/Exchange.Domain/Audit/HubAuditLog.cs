namespace Exchange.Domain.Audit;

/// <summary>
/// One thing an administrator, a party or the hub did to the registry, the CA or what may flow: a
/// grant, a declaration version, a person's opt-out.
/// </summary>
/// <param name="Time">When.</param>
/// <param name="Actor">The party that acted, or <see cref="HubActor"/>.</param>
/// <param name="Action">What was done, one of <see cref="HubAuditActions"/>.</param>
/// <param name="Subject">What it was done to: a party ID, a certificate serial, a request or authorisation ID, a grant, a declaration version or a person's subject ID.</param>
/// <param name="Details">Human-readable particulars (never personal data of customers).</param>
/// <param name="StaffId">The pseudonymous ID of the staff member of <paramref name="Actor"/> who acted, or null when its system did.</param>
public sealed record HubAuditEvent(DateTimeOffset Time, string Actor, string Action, string Subject, string Details, string? StaffId = null)
{
    /// <summary>The actor name of the hub itself (start-up registrations).</summary>
    public const string HubActor = "hub";
}

/// <summary>How audit details write instants: UTC, to the second, ISO 8601.</summary>
public static class AuditTime
{
    /// <summary>E.g. <c>2027-02-20T19:32:10Z</c>.</summary>
    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>An event as stored, with its place in the log.</summary>
/// <param name="Sequence">Position in the log, increasing.</param>
/// <param name="Event">The event.</param>
public sealed record RecordedAuditEvent(long Sequence, HubAuditEvent Event);

/// <summary>The actions the hub's audit log records; the names are stable.</summary>
public static class HubAuditActions
{
    /// <summary>A party was registered.</summary>
    public const string PartyAdded = "party.added";

    /// <summary>A party was suspended.</summary>
    public const string PartySuspended = "party.suspended";

    /// <summary>A suspended party was reactivated.</summary>
    public const string PartyReactivated = "party.reactivated";

    /// <summary>A party withdrew for good.</summary>
    public const string PartyWithdrawn = "party.withdrawn";

    /// <summary>A garage authorised a vendor.</summary>
    public const string AuthorisationGranted = "authorisation.granted";

    /// <summary>An authorisation was revoked or ended.</summary>
    public const string AuthorisationRevoked = "authorisation.revoked";

    /// <summary>A certificate signing request was filed.</summary>
    public const string SigningRequestSubmitted = "certificate.requested";

    /// <summary>A certificate signing request was rejected.</summary>
    public const string SigningRequestRejected = "certificate.request-rejected";

    /// <summary>A certificate was issued for an approved request.</summary>
    public const string CertificateIssued = "certificate.issued";

    /// <summary>A party renewed its certificate.</summary>
    public const string CertificateRenewed = "certificate.renewed";

    /// <summary>A certificate was revoked.</summary>
    public const string CertificateRevoked = "certificate.revoked";

    /// <summary>The hub recorded a certificate it did not issue through a request (the development PKI).</summary>
    public const string CertificateRecorded = "certificate.recorded";

    /// <summary>A grant was created or its items changed; subject <c>grant/role/&lt;role&gt;/&lt;purpose&gt;</c> or <c>grant/party/&lt;party&gt;/&lt;purpose&gt;</c>.</summary>
    public const string GrantSet = "grant.set";

    /// <summary>A grant was removed; subject as for <see cref="GrantSet"/>.</summary>
    public const string GrantRemoved = "grant.removed";

    /// <summary>A joint-use declaration version was published; subject <c>declaration/&lt;version&gt;</c>.</summary>
    public const string DeclarationPublished = "declaration.published";

    /// <summary>A garage relayed a person's opt-out from a purpose; subject the person's subject ID, never the customer reference.</summary>
    public const string OptOutRecorded = "opt-out.recorded";

    /// <summary>A garage relayed the withdrawal of a person's opt-out; subject as for <see cref="OptOutRecorded"/>.</summary>
    public const string OptOutWithdrawn = "opt-out.withdrawn";

    /// <summary>A recall campaign was registered (version 1); subject <c>recall/&lt;recall number&gt;</c>.</summary>
    public const string RecallCampaignCreated = "recall.campaign-created";

    /// <summary>A recall campaign's next version was published; subject as for <see cref="RecallCampaignCreated"/>.</summary>
    public const string RecallCampaignRevised = "recall.campaign-revised";

    /// <summary>An administrator recorded a provision on an exceptional legal ground; subject its ID.</summary>
    public const string ExceptionalProvisionRecorded = "exceptional-provision.recorded";

    /// <summary>An administrator read the scope of an incident; subject the party in question.</summary>
    public const string IncidentScopeRead = "incident.scope-read";

    /// <summary>Personal data past its retention period was disposed of; subject the run's ID.</summary>
    public const string RetentionRun = "retention.run";

    /// <summary>A person's request was recorded (subject: the request ID).</summary>
    public const string SubjectRequestOpened = "subject-request.opened";

    /// <summary>A request's identity verification was recorded.</summary>
    public const string SubjectRequestVerified = "subject-request.verified";

    /// <summary>A request was executed at the hub (and sent to its partners).</summary>
    public const string SubjectRequestExecuted = "subject-request.executed";

    /// <summary>A request's data or provision records were disclosed.</summary>
    public const string SubjectRequestDisclosed = "subject-request.disclosed";

    /// <summary>A request was refused.</summary>
    public const string SubjectRequestRefused = "subject-request.refused";

    /// <summary>A partner acknowledged a request's propagation.</summary>
    public const string SubjectRequestAcknowledged = "subject-request.acknowledged";

    /// <summary>A partner was reminded of an unacknowledged propagation.</summary>
    public const string SubjectRequestReminded = "subject-request.reminded";

    /// <summary>Every partner acknowledged: the request is completed.</summary>
    public const string SubjectRequestCompleted = "subject-request.completed";
}

/// <summary>Which events to list.</summary>
/// <param name="Subject">Only events about this subject, or null.</param>
/// <param name="ActionPrefix">Only actions starting with this, or null.</param>
/// <param name="Limit">At most this many.</param>
/// <param name="BeforeSequence">Only events before this position, or null for the newest.</param>
public sealed record AuditQuery(string? Subject, string? ActionPrefix, int Limit, long? BeforeSequence);

/// <summary>The hub's append-only audit log; storage implements it. Appends join the current unit of work.</summary>
public interface IHubAuditLog
{
    /// <summary>Appends an event; it is written when the unit of work commits.</summary>
    Task AppendAsync(HubAuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Matching events, newest first.</summary>
    Task<IReadOnlyList<RecordedAuditEvent>> ListAsync(AuditQuery query, CancellationToken cancellationToken);
}

/// <summary>Reading the hub's audit log (administrators only).</summary>
public sealed class HubAuditTrail(IHubAuditLog log)
{
    /// <summary>The largest page.</summary>
    public const int MaxLimit = 1000;

    // Subjects are party IDs, serial numbers and request IDs; actions are a few dotted words.
    private const int MaxFilter = 128;

    /// <summary>Events matching <paramref name="query"/>, newest first.</summary>
    public Task<IReadOnlyList<RecordedAuditEvent>> ListAsync(CallContext call, AuditQuery query, CancellationToken cancellationToken)
    {
        call.RequireAdministrator();
        if (query.Limit < 0)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, $"limit must be between 0 and {MaxLimit} (0: {MaxLimit})");
        }

        if (query.Subject?.Length > MaxFilter || query.ActionPrefix?.Length > MaxFilter)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, $"subject and action_prefix are at most {MaxFilter} characters");
        }

        var limit = query.Limit is 0 or > MaxLimit ? MaxLimit : query.Limit;
        return log.ListAsync(query with { Limit = limit, BeforeSequence = query.BeforeSequence is > 0 ? query.BeforeSequence : null }, cancellationToken);
    }
}
