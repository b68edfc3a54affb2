using Exchange.Domain.Audit;
using Exchange.Domain.Parties;
using Exchange.Domain.Provisions;

namespace Exchange.Domain.Certificates;

/// <summary>Where a certificate stands at a given moment.</summary>
public enum CertificateValidity
{
    /// <summary>Usable.</summary>
    Valid,

    /// <summary>Its validity has not begun.</summary>
    NotYetValid,

    /// <summary>Its validity has ended.</summary>
    Expired,

    /// <summary>Revoked.</summary>
    Revoked,
}

/// <summary>The certificate a caller presented on this call.</summary>
/// <param name="SerialNumber">Upper-case hex serial.</param>
/// <param name="PublicKeySha256">SHA-256 of its public key (hex).</param>
public sealed record PresentedCertificate(string SerialNumber, string PublicKeySha256);

/// <summary>A certificate as issued, with the files a partner needs.</summary>
/// <param name="Record">What the hub recorded.</param>
/// <param name="ChainPem">The certificate and any intermediate CA certificates (PEM).</param>
/// <param name="TrustAnchorsPem">The root CA certificates (PEM).</param>
public sealed record Issuance(CertificateRecord Record, string ChainPem, string TrustAnchorsPem);

/// <summary>A revocation with the certificate it revoked, when the hub knows it.</summary>
/// <param name="Revocation">The revocation.</param>
/// <param name="Certificate">The certificate, or null for a serial the hub has no record of.</param>
public sealed record RevokedCertificate(RevocationRecord Revocation, CertificateRecord? Certificate);

/// <summary>
/// The hub's certificate authority as a process: partners file signing requests, administrators
/// approve or reject them, parties renew their own certificates with the one they hold, and
/// administrators (or the holder) revoke. Every issuance, renewal and revocation is recorded in the
/// hub's audit log in the same transaction as the certificate records.
/// </summary>
public sealed class CertificateRegistry(
    ICertificateStore store,
    ICertificateIssuer issuer,
    IPartyRegistryStore parties,
    IHubAuditLog audit,
    IUnitOfWork unitOfWork,
    CertificateSettings settings,
    TimeProvider time)
{
    /// <summary>How many requests a party may have waiting at once.</summary>
    public const int MaxPendingPerParty = 5;

    // Issued certificates start a little in the past, so a partner whose clock runs behind can use them at once.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private const int MaxNoteLength = 500;

    /// <summary>Files a signing request: an administrator for any party, a party for itself.</summary>
    public async Task<SigningRequestRecord> SubmitAsync(CallContext call, string? partyId, string csrPem, CancellationToken cancellationToken)
    {
        var caller = call.Caller;
        var forParty = string.IsNullOrEmpty(partyId) ? caller.Id : partyId;
        RequireSelfOrAdministrator(caller, forParty, "files signing requests");
        var summary = InspectFor(forParty, csrPem);
        var now = time.GetUtcNow();
        var request = new SigningRequestRecord("csr_" + Guid.CreateVersion7(now).ToString("N"), forParty, csrPem.Trim() + "\n", summary.KeyDescription, summary.PublicKeySha256, now, caller.Id, SigningRequestStatus.Pending, null, null, null, null);
        await unitOfWork.RunAsync(
            async ct =>
            {
                await RequireActivePartyAsync(forParty, ct).ConfigureAwait(false);
                await RequireFreshKeyAsync(summary.PublicKeySha256, ct).ConfigureAwait(false);
                var pending = await store.ListRequestsAsync(forParty, SigningRequestStatus.Pending, ct).ConfigureAwait(false);
                if (pending.Count >= MaxPendingPerParty)
                {
                    throw new ExchangeException(FailureKind.FailedPrecondition, $"party '{forParty}' already has {pending.Count} pending signing requests; approve or reject them first");
                }

                await store.AddRequestAsync(request, ct).ConfigureAwait(false);
                await audit.AppendAsync(new HubAuditEvent(now, caller.Id, HubAuditActions.SigningRequestSubmitted, request.Id, $"for {forParty}; {summary.KeyDescription} key sha256:{summary.PublicKeySha256}", call.StaffId), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return request;
    }

    /// <summary>Signing requests: administrators see all, a party its own.</summary>
    public async Task<IReadOnlyList<SigningRequestRecord>> ListRequestsAsync(CallContext call, string? partyId, SigningRequestStatus? status, CancellationToken cancellationToken) =>
        await store.ListRequestsAsync(OwnOrAny(call.Caller, partyId), status, cancellationToken).ConfigureAwait(false);

    /// <summary>Issues the certificate a pending request asks for (administrators).</summary>
    /// <param name="call">The call.</param>
    /// <param name="requestId">The request.</param>
    /// <param name="lifetimeDays">Validity in days; 0 for the configured lifetime, which it may shorten but not lengthen.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public async Task<Issuance> ApproveAsync(CallContext call, string requestId, int lifetimeDays, CancellationToken cancellationToken)
    {
        call.RequireAdministrator();
        var lifetime = LifetimeOf(lifetimeDays);
        var now = time.GetUtcNow();
        return await unitOfWork.RunAsync(
            async ct =>
            {
                var request = await FindPendingAsync(requestId, ct).ConfigureAwait(false);
                var party = await RequireActivePartyAsync(request.PartyId, ct).ConfigureAwait(false);
                await RequireFreshKeyAsync(request.PublicKeySha256, ct).ConfigureAwait(false);
                var signed = issuer.Issue(request.CsrPem, party.Id, party.NameEn, now - ClockSkew, now + lifetime);
                var record = Record(signed, party.Id, IssuanceKind.Approved, request.Id, null, now, call.Caller.Id);
                await DecideAsync(request.Id, SigningRequestStatus.Approved, now, call.Caller.Id, null, signed.SerialNumber, ct).ConfigureAwait(false);
                await store.AddCertificateAsync(record, ct).ConfigureAwait(false);
                await audit.AppendAsync(new HubAuditEvent(now, call.Caller.Id, HubAuditActions.CertificateIssued, signed.SerialNumber, $"for {party.Id}, request {request.Id}; valid {AuditTime.Format(signed.NotBefore)} to {AuditTime.Format(signed.NotAfter)}; sha256:{signed.Sha256Fingerprint}", call.StaffId), ct).ConfigureAwait(false);
                return new Issuance(record, signed.ChainPem, issuer.TrustAnchorsPem);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Declines a pending request (administrators).</summary>
    public async Task<SigningRequestRecord> RejectAsync(CallContext call, string requestId, string? reason, CancellationToken cancellationToken)
    {
        call.RequireAdministrator();
        var note = Note(reason, "reason") ?? throw new ExchangeException(FailureKind.InvalidArgument, "a rejection needs a reason, for the requester and the audit log");
        var now = time.GetUtcNow();
        return await unitOfWork.RunAsync(
            async ct =>
            {
                var request = await FindPendingAsync(requestId, ct).ConfigureAwait(false);
                await DecideAsync(request.Id, SigningRequestStatus.Rejected, now, call.Caller.Id, note, null, ct).ConfigureAwait(false);
                await audit.AppendAsync(new HubAuditEvent(now, call.Caller.Id, HubAuditActions.SigningRequestRejected, request.Id, $"for {request.PartyId}: {note}", call.StaffId), ct).ConfigureAwait(false);
                return request with { Status = SigningRequestStatus.Rejected, DecidedAt = now, DecidedBy = call.Caller.Id, DecisionNote = note };
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Certificates: administrators see all, a party its own; expired and revoked ones only on request.</summary>
    public async Task<IReadOnlyList<CertificateRecord>> ListCertificatesAsync(CallContext call, string? partyId, bool includeInactive, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var found = await store.ListCertificatesAsync(OwnOrAny(call.Caller, partyId), cancellationToken).ConfigureAwait(false);
        return includeInactive ? found : found.Where(c => c.Revocation is null && c.NotAfter >= now).ToList();
    }

    /// <summary>
    /// Revokes a certificate from now on: administrators any, a party its own. Revoking for key
    /// compromise also revokes every certificate renewed from it, since whoever held the key could
    /// have renewed it.
    /// </summary>
    public async Task<RevokedCertificate> RevokeAsync(CallContext call, string serialNumber, RevocationReason? reason, string? note, bool allowUnknown, CancellationToken cancellationToken)
    {
        var caller = call.Caller;
        var serial = SerialNumbers.Normalize(serialNumber);
        if (reason is null || !Enum.IsDefined(reason.Value))
        {
            throw new ExchangeException(FailureKind.InvalidArgument, "a revocation needs a reason: key-compromise, affiliation-changed, superseded, cessation-of-operation or privilege-withdrawn");
        }

        var text = Note(note, "note");
        var now = time.GetUtcNow();
        return await unitOfWork.RunAsync(
            async ct =>
            {
                var certificate = await store.FindCertificateAsync(serial, ct).ConfigureAwait(false);
                if (certificate is null)
                {
                    if (caller.Role != PartyRole.Administrator)
                    {
                        throw new ExchangeException(FailureKind.NotFound, $"the hub issued no certificate with serial {serial}");
                    }

                    if (!allowUnknown)
                    {
                        throw new ExchangeException(FailureKind.NotFound, $"the hub has no record of a certificate with serial {serial}; to revoke a certificate the issuing CA signed outside the hub, allow unknown serials");
                    }
                }
                else
                {
                    RequireSelfOrAdministrator(caller, certificate.PartyId, "revokes certificates");
                }

                var existing = certificate?.Revocation ?? await store.FindRevocationAsync(serial, ct).ConfigureAwait(false);
                if (existing is not null)
                {
                    throw new ExchangeException(FailureKind.AlreadyExists, $"certificate {serial} was already revoked at {AuditTime.Format(existing.RevokedAt)} ({existing.Reason.ToWire()})");
                }

                var revocation = new RevocationRecord(serial, certificate?.PartyId, now, reason.Value, text, caller.Id);
                await RecordRevocationAsync(revocation, call.StaffId, ct).ConfigureAwait(false);
                if (reason == RevocationReason.KeyCompromise && certificate is not null)
                {
                    await RevokeRenewalsOfAsync(certificate, caller.Id, call.StaffId, now, ct).ConfigureAwait(false);
                }

                return new RevokedCertificate(revocation, certificate is null ? null : certificate with { Revocation = revocation });
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The calling party renews the certificate it calls with, for a new key. No approval is needed:
    /// the still-valid certificate authenticates the request. The current certificate stays valid
    /// until it expires, so the two overlap while the partner switches over.
    /// </summary>
    public async Task<Issuance> RenewAsync(CallContext call, PresentedCertificate presented, string csrPem, CancellationToken cancellationToken)
    {
        var caller = call.Caller;
        var summary = InspectFor(caller.Id, csrPem);
        if (summary.PublicKeySha256 == presented.PublicKeySha256)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, "a renewal needs a new key pair: the signing request carries the key of the certificate being renewed");
        }

        var now = time.GetUtcNow();
        return await unitOfWork.RunAsync(
            async ct =>
            {
                var party = await RequireActivePartyAsync(caller.Id, ct).ConfigureAwait(false);
                await RequireFreshKeyAsync(summary.PublicKeySha256, ct).ConfigureAwait(false);
                var signed = issuer.Issue(csrPem, party.Id, party.NameEn, now - ClockSkew, now + settings.ClientCertificateLifetime);
                var record = Record(signed, party.Id, IssuanceKind.Renewed, null, presented.SerialNumber, now, caller.Id);
                await store.AddCertificateAsync(record, ct).ConfigureAwait(false);
                await audit.AppendAsync(new HubAuditEvent(now, caller.Id, HubAuditActions.CertificateRenewed, signed.SerialNumber, $"for {party.Id}, renewing {presented.SerialNumber}; valid {AuditTime.Format(signed.NotBefore)} to {AuditTime.Format(signed.NotAfter)}; sha256:{signed.Sha256Fingerprint}", call.StaffId), ct).ConfigureAwait(false);
                return new Issuance(record, signed.ChainPem, issuer.TrustAnchorsPem);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The current CRL (public: anyone may read it).</summary>
    public async Task<RevocationList> CrlAsync(CancellationToken cancellationToken) =>
        issuer.BuildCrl(await store.ListRevocationsAsync(cancellationToken).ConfigureAwait(false), time.GetUtcNow());

    /// <summary>Records a certificate the hub did not issue through a request (the development PKI's, the bootstrap administrator's), once; true when it was new.</summary>
    public async Task<bool> RecordExistingAsync(CertificateRecord certificate, CancellationToken cancellationToken) =>
        await unitOfWork.RunAsync(
            async ct =>
            {
                if (await store.FindCertificateAsync(certificate.SerialNumber, ct).ConfigureAwait(false) is not null)
                {
                    return false;
                }

                await store.AddCertificateAsync(certificate, ct).ConfigureAwait(false);
                await audit.AppendAsync(new HubAuditEvent(time.GetUtcNow(), HubAuditEvent.HubActor, HubAuditActions.CertificateRecorded, certificate.SerialNumber, $"{certificate.Kind.ToString().ToLowerInvariant()} certificate of {certificate.PartyId}, valid to {AuditTime.Format(certificate.NotAfter)}"), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>Where <paramref name="certificate"/> stands at <paramref name="at"/>.</summary>
    public static CertificateValidity ValidityOf(CertificateRecord certificate, DateTimeOffset at) =>
        certificate.Revocation is not null ? CertificateValidity.Revoked
        : at < certificate.NotBefore ? CertificateValidity.NotYetValid
        : at > certificate.NotAfter ? CertificateValidity.Expired
        : CertificateValidity.Valid;

    /// <summary>Revokes every usable certificate of a party (its withdrawal); joins the caller's unit of work.</summary>
    internal async Task RevokeAllOfPartyAsync(CallContext call, string partyId, RevocationReason reason, string note, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var certificate in await store.ListCertificatesAsync(partyId, cancellationToken).ConfigureAwait(false))
        {
            if (certificate.Revocation is null && certificate.NotAfter >= now)
            {
                await RecordRevocationAsync(new RevocationRecord(certificate.SerialNumber, partyId, now, reason, note, call.Caller.Id), call.StaffId, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static void RequireSelfOrAdministrator(Party caller, string partyId, string what)
    {
        if (caller.Role != PartyRole.Administrator && caller.Id != partyId)
        {
            throw new ExchangeException(FailureKind.PermissionDenied, $"a party {what} only for itself; '{caller.Id}' is not '{partyId}' (rule certificate.own-only)", "certificate.own-only");
        }
    }

    private static string? OwnOrAny(Party caller, string? partyId)
    {
        var filter = string.IsNullOrEmpty(partyId) ? null : partyId;
        if (caller.Role == PartyRole.Administrator)
        {
            return filter;
        }

        RequireSelfOrAdministrator(caller, filter ?? caller.Id, "lists certificates and requests");
        return caller.Id;
    }

    private static string? Note(string? value, string field)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        return trimmed.Length > MaxNoteLength || trimmed.Any(char.IsControl)
            ? throw new ExchangeException(FailureKind.InvalidArgument, $"{field} must be at most {MaxNoteLength} characters without control characters")
            : trimmed;
    }

    private static CertificateRecord Record(SignedCertificate signed, string partyId, IssuanceKind kind, string? requestId, string? renewedFrom, DateTimeOffset now, string issuedBy) =>
        new(signed.SerialNumber, partyId, signed.NotBefore, signed.NotAfter, signed.Sha256Fingerprint, signed.PublicKeySha256, kind, requestId, renewedFrom, now, issuedBy, signed.CertificatePem, null);

    private TimeSpan LifetimeOf(int lifetimeDays)
    {
        var maximum = settings.ClientCertificateLifetime;
        // Compared in days: TimeSpan.FromDays overflows long before int.MaxValue days.
        if (lifetimeDays < 0 || lifetimeDays > maximum.TotalDays)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, $"lifetime_days must be between 1 and {maximum.TotalDays:0.##} (the hub's configured lifetime), or 0 for that lifetime");
        }

        return lifetimeDays == 0 ? maximum : TimeSpan.FromDays(lifetimeDays);
    }

    private SigningRequestSummary InspectFor(string partyId, string csrPem)
    {
        var summary = issuer.Inspect(csrPem, out var problem)
            ?? throw new ExchangeException(FailureKind.InvalidArgument, problem ?? "the certificate signing request is not acceptable");
        if (summary.CommonName is { } name && name != partyId)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, $"the signing request names CN={name}, but it is filed for party '{partyId}'");
        }

        return summary;
    }

    private async Task<Party> RequireActivePartyAsync(string partyId, CancellationToken cancellationToken)
    {
        var party = (await parties.FindAsync(partyId, cancellationToken).ConfigureAwait(false)
            ?? throw new ExchangeException(FailureKind.NotFound, $"party '{partyId}' is not registered; add it first")).Party;
        return party.Status == PartyStatus.Active
            ? party
            : throw new ExchangeException(FailureKind.FailedPrecondition, $"party '{partyId}' is {party.Status.ToString().ToLowerInvariant()}; no certificate is issued to it");
    }

    private async Task RequireFreshKeyAsync(string publicKeySha256, CancellationToken cancellationToken)
    {
        if (await store.FindByPublicKeyAsync(publicKeySha256, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, $"this public key is already certified (certificate {existing.SerialNumber} of '{existing.PartyId}'); every certificate needs a new key pair");
        }
    }

    private async Task<SigningRequestRecord> FindPendingAsync(string requestId, CancellationToken cancellationToken)
    {
        var request = await store.FindRequestAsync(requestId ?? "", cancellationToken).ConfigureAwait(false)
            ?? throw new ExchangeException(FailureKind.NotFound, $"there is no signing request '{requestId}'");
        return request.Status == SigningRequestStatus.Pending
            ? request
            : throw new ExchangeException(FailureKind.FailedPrecondition, $"signing request '{requestId}' was already {request.Status.ToString().ToLowerInvariant()}");
    }

    private async Task DecideAsync(string requestId, SigningRequestStatus status, DateTimeOffset now, string decidedBy, string? note, string? serial, CancellationToken cancellationToken)
    {
        if (!await store.DecideRequestAsync(requestId, status, now, decidedBy, note, serial, cancellationToken).ConfigureAwait(false))
        {
            throw new ExchangeException(FailureKind.FailedPrecondition, $"signing request '{requestId}' was decided by someone else a moment ago");
        }
    }

    private async Task RecordRevocationAsync(RevocationRecord revocation, string? staffId, CancellationToken cancellationToken)
    {
        await store.AddRevocationAsync(revocation, cancellationToken).ConfigureAwait(false);
        var owner = revocation.PartyId is null ? "a certificate the hub has no record of" : $"certificate of {revocation.PartyId}";
        var note = revocation.Note is null ? "" : $": {revocation.Note}";
        await audit.AppendAsync(new HubAuditEvent(revocation.RevokedAt, revocation.RevokedBy, HubAuditActions.CertificateRevoked, revocation.SerialNumber, $"{owner}; reason {revocation.Reason.ToWire()}{note}", staffId), cancellationToken).ConfigureAwait(false);
    }

    private async Task RevokeRenewalsOfAsync(CertificateRecord compromised, string actor, string? staffId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var all = await store.ListCertificatesAsync(compromised.PartyId, cancellationToken).ConfigureAwait(false);
        var pending = new Queue<string>([compromised.SerialNumber]);
        while (pending.TryDequeue(out var parent))
        {
            foreach (var child in all.Where(c => c.RenewedFrom == parent))
            {
                pending.Enqueue(child.SerialNumber);
                if (child.Revocation is null)
                {
                    await RecordRevocationAsync(new RevocationRecord(child.SerialNumber, child.PartyId, now, RevocationReason.KeyCompromise, $"renewed from {compromised.SerialNumber}, whose key was compromised", actor), staffId, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}

/// <summary>Certificate serial numbers as the hub writes them: upper-case hex without separators.</summary>
public static class SerialNumbers
{
    /// <summary>Normalises "0a:1b:…" or "0A1B…" to "0A1B…"; refuses anything that is not 1-40 bytes of hex.</summary>
    public static string Normalize(string? value)
    {
        var compact = (value ?? "").Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
        if (compact.Length is 0 or > 80 || compact.Length % 2 != 0 || !compact.All(char.IsAsciiHexDigit))
        {
            throw new ExchangeException(FailureKind.InvalidArgument, $"'{value}' is not a certificate serial number (hex, e.g. 3A9F…)");
        }

        return compact;
    }
}
