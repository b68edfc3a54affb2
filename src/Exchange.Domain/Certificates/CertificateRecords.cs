namespace Exchange.Domain.Certificates;

/// <summary>Why a certificate was revoked; the numbers are RFC 5280's reason codes.</summary>
public enum RevocationReason
{
    /// <summary>The private key was, or may have been, disclosed.</summary>
    KeyCompromise = 1,

    /// <summary>The party's name or affiliation changed.</summary>
    AffiliationChanged = 3,

    /// <summary>A newer certificate replaces it.</summary>
    Superseded = 4,

    /// <summary>The party no longer takes part.</summary>
    CessationOfOperation = 5,

    /// <summary>The party's right to call was withdrawn.</summary>
    PrivilegeWithdrawn = 9,
}

/// <summary>Wire names of revocation reasons, as the CLI and messages spell them.</summary>
public static class RevocationReasons
{
    /// <summary>The wire name, e.g. <c>key-compromise</c>.</summary>
    public static string ToWire(this RevocationReason reason) => reason switch
    {
        RevocationReason.KeyCompromise => "key-compromise",
        RevocationReason.AffiliationChanged => "affiliation-changed",
        RevocationReason.Superseded => "superseded",
        RevocationReason.CessationOfOperation => "cessation-of-operation",
        RevocationReason.PrivilegeWithdrawn => "privilege-withdrawn",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}

/// <summary>How a certificate came to be issued.</summary>
public enum IssuanceKind
{
    /// <summary>For a signing request an administrator approved.</summary>
    Approved,

    /// <summary>For a party renewing its own certificate.</summary>
    Renewed,

    /// <summary>Created with the development PKI (development only).</summary>
    Development,

    /// <summary>Signed outside the hub for the bootstrap administrator and recorded at start from the hub's configuration.</summary>
    Bootstrap,
}

/// <summary>Where a signing request stands.</summary>
public enum SigningRequestStatus
{
    /// <summary>Waiting for an administrator.</summary>
    Pending,

    /// <summary>A certificate was issued for it.</summary>
    Approved,

    /// <summary>An administrator declined it.</summary>
    Rejected,
}

/// <summary>A filed certificate signing request.</summary>
/// <param name="Id">Its ID, e.g. <c>csr_…</c>.</param>
/// <param name="PartyId">The party the certificate is for.</param>
/// <param name="CsrPem">The request itself.</param>
/// <param name="KeyDescription">The key's algorithm and size.</param>
/// <param name="PublicKeySha256">SHA-256 of the public key (hex).</param>
/// <param name="SubmittedAt">When it was filed.</param>
/// <param name="SubmittedBy">Who filed it.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="DecidedAt">When it was approved or rejected.</param>
/// <param name="DecidedBy">Who decided.</param>
/// <param name="DecisionNote">Why it was rejected.</param>
/// <param name="CertificateSerial">The certificate issued for it.</param>
public sealed record SigningRequestRecord(
    string Id,
    string PartyId,
    string CsrPem,
    string KeyDescription,
    string PublicKeySha256,
    DateTimeOffset SubmittedAt,
    string SubmittedBy,
    SigningRequestStatus Status,
    DateTimeOffset? DecidedAt,
    string? DecidedBy,
    string? DecisionNote,
    string? CertificateSerial);

/// <summary>A revocation: from <see cref="RevokedAt"/> on, the certificate is refused.</summary>
/// <param name="SerialNumber">Upper-case hex serial.</param>
/// <param name="PartyId">The party it was issued to, when the hub knows it.</param>
/// <param name="RevokedAt">When.</param>
/// <param name="Reason">Why.</param>
/// <param name="Note">Free text.</param>
/// <param name="RevokedBy">Who revoked it.</param>
public sealed record RevocationRecord(string SerialNumber, string? PartyId, DateTimeOffset RevokedAt, RevocationReason Reason, string? Note, string RevokedBy);

/// <summary>A certificate the hub issued (or recorded), with its revocation if any.</summary>
/// <param name="SerialNumber">Upper-case hex serial.</param>
/// <param name="PartyId">The party it names.</param>
/// <param name="NotBefore">Start of validity.</param>
/// <param name="NotAfter">End of validity.</param>
/// <param name="Sha256Fingerprint">SHA-256 of its DER encoding (hex).</param>
/// <param name="PublicKeySha256">SHA-256 of its public key (hex).</param>
/// <param name="Kind">How it was issued.</param>
/// <param name="RequestId">The request it answers (approved).</param>
/// <param name="RenewedFrom">The certificate it renews (renewed).</param>
/// <param name="IssuedAt">When.</param>
/// <param name="IssuedBy">Who approved or renewed.</param>
/// <param name="CertificatePem">The certificate (PEM).</param>
/// <param name="Revocation">Its revocation, if revoked.</param>
public sealed record CertificateRecord(
    string SerialNumber,
    string PartyId,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Sha256Fingerprint,
    string PublicKeySha256,
    IssuanceKind Kind,
    string? RequestId,
    string? RenewedFrom,
    DateTimeOffset IssuedAt,
    string IssuedBy,
    string CertificatePem,
    RevocationRecord? Revocation)
{
    /// <summary>True when it neither expired nor was revoked at <paramref name="at"/>.</summary>
    public bool IsUsableAt(DateTimeOffset at) => Revocation is null && at >= NotBefore && at <= NotAfter;
}

/// <summary>The hub's certificate records; storage implements it. Writes join the current unit of work.</summary>
public interface ICertificateStore
{
    /// <summary>Files a signing request.</summary>
    Task AddRequestAsync(SigningRequestRecord request, CancellationToken cancellationToken);

    /// <summary>The request, or null.</summary>
    Task<SigningRequestRecord?> FindRequestAsync(string id, CancellationToken cancellationToken);

    /// <summary>Requests matching the filters (null: any), newest first.</summary>
    Task<IReadOnlyList<SigningRequestRecord>> ListRequestsAsync(string? partyId, SigningRequestStatus? status, CancellationToken cancellationToken);

    /// <summary>Records the decision on a request if it is still pending; false when another decision came first.</summary>
    Task<bool> DecideRequestAsync(string id, SigningRequestStatus status, DateTimeOffset at, string decidedBy, string? note, string? certificateSerial, CancellationToken cancellationToken);

    /// <summary>Records an issued certificate (its <see cref="CertificateRecord.Revocation"/> is ignored).</summary>
    Task AddCertificateAsync(CertificateRecord certificate, CancellationToken cancellationToken);

    /// <summary>The certificate with its revocation, or null.</summary>
    Task<CertificateRecord?> FindCertificateAsync(string serialNumber, CancellationToken cancellationToken);

    /// <summary>A certificate for this public key (SHA-256 hex), or null.</summary>
    Task<CertificateRecord?> FindByPublicKeyAsync(string publicKeySha256, CancellationToken cancellationToken);

    /// <summary>Certificates (of one party, or all) with their revocations, newest first.</summary>
    Task<IReadOnlyList<CertificateRecord>> ListCertificatesAsync(string? partyId, CancellationToken cancellationToken);

    /// <summary>Records a revocation.</summary>
    Task AddRevocationAsync(RevocationRecord revocation, CancellationToken cancellationToken);

    /// <summary>The serial's revocation, or null.</summary>
    Task<RevocationRecord?> FindRevocationAsync(string serialNumber, CancellationToken cancellationToken);

    /// <summary>Every revocation, oldest first (the CRL).</summary>
    Task<IReadOnlyList<RevocationRecord>> ListRevocationsAsync(CancellationToken cancellationToken);
}
