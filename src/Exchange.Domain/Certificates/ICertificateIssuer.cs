namespace Exchange.Domain.Certificates;

/// <summary>What the hub read from a signing request.</summary>
/// <param name="KeyDescription">The key's algorithm and size, e.g. <c>ECDSA P-256</c>.</param>
/// <param name="PublicKeySha256">SHA-256 of the public key (hex).</param>
/// <param name="CommonName">The subject's common name, if any.</param>
public sealed record SigningRequestSummary(string KeyDescription, string PublicKeySha256, string? CommonName);

/// <summary>A certificate the issuing CA just signed.</summary>
/// <param name="SerialNumber">Upper-case hex serial.</param>
/// <param name="NotBefore">Start of validity.</param>
/// <param name="NotAfter">End of validity (never beyond the CA's own).</param>
/// <param name="Sha256Fingerprint">SHA-256 of its DER encoding (hex).</param>
/// <param name="PublicKeySha256">SHA-256 of its public key (hex).</param>
/// <param name="CertificatePem">The certificate (PEM).</param>
/// <param name="ChainPem">The certificate followed by the intermediate CA certificates (PEM), ready to present.</param>
public sealed record SignedCertificate(string SerialNumber, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Sha256Fingerprint, string PublicKeySha256, string CertificatePem, string ChainPem);

/// <summary>A certificate revocation list.</summary>
/// <param name="Der">The CRL, DER-encoded.</param>
/// <param name="ThisUpdate">When it was issued.</param>
/// <param name="NextUpdate">When the next one is due.</param>
/// <param name="Entries">How many certificates it lists.</param>
public sealed record RevocationList(byte[] Der, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate, int Entries);

/// <summary>The hub's issuing CA: the domain decides what to issue, this signs it. The host implements it.</summary>
public interface ICertificateIssuer
{
    /// <summary>The root certificates (PEM) partners put in their CA bundle.</summary>
    string TrustAnchorsPem { get; }

    /// <summary>Checks that <paramref name="csrPem"/> is a well-formed request signed by an acceptable key.</summary>
    /// <returns>The summary, or null with <paramref name="problem"/> saying why in words fit for the requester.</returns>
    SigningRequestSummary? Inspect(string csrPem, out string? problem);

    /// <summary>Signs a client certificate for <paramref name="partyId"/> with the request's public key (and nothing else from it).</summary>
    SignedCertificate Issue(string csrPem, string partyId, string organisation, DateTimeOffset notBefore, DateTimeOffset notAfter);

    /// <summary>A CRL listing <paramref name="revocations"/>, signed now.</summary>
    RevocationList BuildCrl(IReadOnlyList<RevocationRecord> revocations, DateTimeOffset now);
}

/// <summary>The issuance settings.</summary>
public sealed class CertificateSettings
{
    /// <summary>How long issued and renewed client certificates are valid.</summary>
    public TimeSpan ClientCertificateLifetime { get; init; } = TimeSpan.FromDays(90);
}
