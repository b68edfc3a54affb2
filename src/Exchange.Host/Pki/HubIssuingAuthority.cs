using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Exchange.Domain;
using Exchange.Domain.Certificates;
using Exchange.Host.Configuration;
using Exchange.Protocol.Identity;
using Exchange.Protocol.Pki;
using Microsoft.Extensions.Options;

namespace Exchange.Host.Pki;

/// <summary>
/// The hub's issuing CA: in development the development PKI's CA (certs/dev/ca.crt and ca.key); in
/// production the configured issuing CA, normally an intermediate of a root kept offline. It signs
/// partners' client certificates for public keys taken from their signing requests, and the CRL.
/// The start fails when a configured issuing CA is unusable (not a CA, expired, not chaining to a
/// trust anchor, key missing).
/// </summary>
internal sealed class HubIssuingAuthority : ICertificateIssuer, IDisposable
{
    private readonly CertificateAuthority? _ca;
    private readonly X509Certificate2Collection _issuingChain = [];
    private readonly string _trustDomain;
    private readonly TimeSpan _crlLifetime;
    private readonly Lock _crlLock = new();
    private (string Key, RevocationList List)? _crl;

    public HubIssuingAuthority(IOptions<HubOptions> options, HubCertificates certificates, TimeProvider time, ILogger<HubIssuingAuthority> logger)
    {
        var hub = options.Value;
        _trustDomain = hub.TrustDomain;
        _crlLifetime = hub.Pki.CrlLifetime;
        // Exchange:Pki:CaCertificate holds the roots, and may hold intermediates that issue client
        // certificates outside the hub: those help build chains, and partners get the roots only.
        var roots = new X509Certificate2Collection(certificates.TrustAnchors.Where(IsSelfSigned).ToArray());
        TrustAnchorsPem = Pem(roots.Count > 0 ? roots : certificates.TrustAnchors);
        Intermediates.AddRange(certificates.TrustAnchors.Where(c => !IsSelfSigned(c)).ToArray());
        var (certificatePath, keyPath) = certificates.DevelopmentDirectory is { } dev
            ? (Path.Combine(dev, DevelopmentPki.CaCertificateFile), Path.Combine(dev, DevelopmentPki.CaKeyFile))
            : (hub.Pki.IssuingCaCertificate, hub.Pki.IssuingCaKey);
        if (certificatePath is null || keyPath is null)
        {
            PkiLog.NoIssuingCa(logger);
            return;
        }

        var bundle = PemFiles.LoadCertificates(certificatePath);
        var issuing = PemFiles.LoadCertificateWithKey(certificatePath, keyPath);
        var now = time.GetUtcNow();
        if (Problem(issuing, bundle, certificates.TrustAnchors, now) is { } problem)
        {
            issuing.Dispose();
            Dispose(bundle);
            throw new InvalidOperationException($"The issuing CA in {certificatePath} cannot be used: {problem}.");
        }

        _ca = new CertificateAuthority(issuing);
        // Everything in the bundle that is not a root: sent with issued certificates, and used by the
        // hub to build clients' chains whether or not they present their intermediates.
        _issuingChain.AddRange(bundle.Where(c => !IsSelfSigned(c)).ToArray());
        Intermediates.AddRange(_issuingChain);
        Dispose(bundle.Where(IsSelfSigned));
        var notAfter = new DateTimeOffset(issuing.NotAfter.ToUniversalTime());
        PkiLog.IssuingCaLoaded(logger, issuing.Subject, notAfter, certificatePath);
        if (notAfter < now + hub.Pki.ClientCertificateLifetime)
        {
            PkiLog.IssuingCaExpiresSoon(logger, issuing.Subject, notAfter);
        }
    }

    /// <inheritdoc />
    public string TrustAnchorsPem { get; }

    /// <summary>CA certificates between the roots and the clients: the issuing CA (unless it is a root) and any intermediates among the trust anchors.</summary>
    public X509Certificate2Collection Intermediates { get; } = [];

    /// <inheritdoc />
    public SigningRequestSummary? Inspect(string csrPem, out string? problem)
    {
        if (!SigningRequest.TryParse(csrPem, out var request, out problem))
        {
            return null;
        }

        return new SigningRequestSummary(request.KeyDescription, request.PublicKeySha256, request.CommonName);
    }

    /// <inheritdoc />
    public SignedCertificate Issue(string csrPem, string partyId, string organisation, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var ca = RequireCa();
        if (!SigningRequest.TryParse(csrPem, out var request, out var problem))
        {
            throw new ExchangeException(FailureKind.InvalidArgument, problem);
        }

        using var issued = ca.IssueClient(request.PublicKey, PartySpiffeId.Create(_trustDomain, partyId), organisation, notBefore, notAfter);
        var pem = issued.ExportCertificatePem() + "\n";
        return new SignedCertificate(
            issued.SerialNumber,
            new DateTimeOffset(issued.NotBefore.ToUniversalTime()),
            new DateTimeOffset(issued.NotAfter.ToUniversalTime()),
            issued.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(),
            SigningRequest.PublicKeyFingerprint(issued.PublicKey),
            pem,
            pem + Pem(_issuingChain));
    }

    /// <inheritdoc />
    public RevocationList BuildCrl(IReadOnlyList<RevocationRecord> revocations, DateTimeOffset now)
    {
        var ca = RequireCa();
        // Keyed by the set of revoked serials, read from the shared database on every fetch (one
        // small query): a revocation made at another hub instance changes the key at once, with no
        // revision counter to keep in the schema. Sorted: revocations made in the same instant may
        // be listed in either order.
        var key = string.Join(',', revocations.Select(r => r.SerialNumber).Order(StringComparer.Ordinal));
        lock (_crlLock)
        {
            // Re-signed when the list changed or half its lifetime has passed, not on every fetch.
            if (_crl is { } cached && cached.Key == key && now < cached.List.ThisUpdate + _crlLifetime / 2)
            {
                return cached.List;
            }

            var entries = revocations.Select(r => new CrlEntry(r.SerialNumber, r.RevokedAt, (X509RevocationReason)(int)r.Reason));
            var nextUpdate = now + _crlLifetime;
            var der = ca.BuildCrl(entries, now.ToUnixTimeMilliseconds(), now, nextUpdate);
            var list = new RevocationList(der, now, nextUpdate, revocations.Count);
            _crl = (key, list);
            return list;
        }
    }

    public void Dispose()
    {
        _ca?.Dispose();
        // The intermediates taken from the trust anchors belong to HubCertificates.
        Dispose(_issuingChain);
    }

    private static void Dispose(IEnumerable<X509Certificate2> certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }

    private static bool IsSelfSigned(X509Certificate2 certificate) => certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    private static string Pem(X509Certificate2Collection certificates)
    {
        var pem = new StringBuilder();
        foreach (var certificate in certificates)
        {
            pem.Append(certificate.ExportCertificatePem()).Append('\n');
        }

        return pem.ToString();
    }

    private static string? Problem(X509Certificate2 issuing, X509Certificate2Collection bundle, X509Certificate2Collection trustAnchors, DateTimeOffset now)
    {
        if (!issuing.HasPrivateKey || (issuing.GetECDsaPrivateKey() is null && issuing.GetRSAPrivateKey() is null))
        {
            return "its private key is missing or is neither ECDSA nor RSA";
        }

        if (issuing.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            return "it is not a CA certificate (basic constraints CA:TRUE)";
        }

        if (issuing.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } usage
            && (usage.KeyUsages & (X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign)) != (X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign))
        {
            return "its key usage does not allow signing certificates and CRLs (keyCertSign, cRLSign)";
        }

        if (now.UtcDateTime < issuing.NotBefore.ToUniversalTime() || now.UtcDateTime > issuing.NotAfter.ToUniversalTime())
        {
            return $"it is not valid now (valid {issuing.NotBefore.ToUniversalTime():O} to {issuing.NotAfter.ToUniversalTime():O})";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustAnchors);
        chain.ChainPolicy.ExtraStore.AddRange(bundle);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        return chain.Build(issuing)
            ? null
            : "it does not chain to a certificate in Exchange:Pki:CaCertificate (" + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct()) + ")";
    }

    private CertificateAuthority RequireCa() =>
        _ca ?? throw new ExchangeException(FailureKind.FailedPrecondition, "this hub has no issuing CA (Exchange:Pki:IssuingCaCertificate is not set): certificates are issued offline");
}
