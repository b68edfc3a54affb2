using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Exchange.Protocol.Identity;

/// <summary>The outcome of checking a client certificate: the party it names, or why it was refused.</summary>
/// <param name="Party">The party, when the certificate is acceptable.</param>
/// <param name="Refusal">Why the certificate was refused, when it is not.</param>
public readonly record struct CertificateCheck(PartySpiffeId? Party, string? Refusal)
{
    /// <summary>True when the certificate is acceptable.</summary>
    public bool IsValid => Party is not null;
}

/// <summary>
/// Checks a client certificate against the hub's own trust anchors only (never the system store):
/// the chain, the validity period at the hub's clock, the <c>clientAuth</c> usage (named in the
/// certificate itself), that it is not a CA certificate, and a single party SPIFFE ID in the hub's
/// trust domain.
/// </summary>
public sealed class ClientCertificateValidator
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    private readonly X509Certificate2Collection _trustAnchors;
    private readonly X509Certificate2Collection _intermediates;
    private readonly string _trustDomain;
    private readonly TimeProvider _time;

    /// <summary>Creates a validator trusting only <paramref name="trustAnchors"/>.</summary>
    /// <param name="trustAnchors">The root certificates client certificates must chain to.</param>
    /// <param name="trustDomain">The SPIFFE trust domain every party ID must be in.</param>
    /// <param name="time">The clock validity periods are judged by.</param>
    /// <param name="intermediates">CA certificates between the roots and the clients (the hub's own
    /// issuing CA, when it is not a root), used to build chains whether or not a client sends them.
    /// They help build a chain; they are not trusted on their own.</param>
    public ClientCertificateValidator(X509Certificate2Collection trustAnchors, string trustDomain, TimeProvider time, X509Certificate2Collection? intermediates = null)
    {
        if (trustAnchors.Count == 0)
        {
            throw new ArgumentException("At least one trust anchor is required.", nameof(trustAnchors));
        }

        _trustAnchors = trustAnchors;
        _intermediates = intermediates ?? [];
        _trustDomain = trustDomain;
        _time = time;
    }

    /// <summary>Checks <paramref name="certificate"/>, using any intermediates the peer presented.</summary>
    public CertificateCheck Validate(X509Certificate2 certificate, X509Chain? presented = null)
    {
        var now = _time.GetUtcNow();
        if (now.UtcDateTime < certificate.NotBefore.ToUniversalTime())
        {
            return new(null, "certificate is not yet valid");
        }

        if (now.UtcDateTime > certificate.NotAfter.ToUniversalTime())
        {
            return new(null, "certificate has expired");
        }

        if (UsageProblem(certificate) is { } problem)
        {
            return new(null, problem);
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_trustAnchors);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        chain.ChainPolicy.ExtraStore.AddRange(_intermediates);
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                if (!element.Certificate.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
        }

        if (!chain.Build(certificate))
        {
            var status = chain.ChainStatus.Length > 0
                ? string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct())
                : "untrusted chain";
            return new(null, $"certificate chain is not trusted: {status}");
        }

        if (!PartySpiffeId.TryFromCertificate(certificate, out var party))
        {
            return new(null, "certificate does not carry exactly one party SPIFFE ID (spiffe://<trust-domain>/party/<party-id>) as URI SAN");
        }

        if (!string.Equals(party.TrustDomain, _trustDomain, StringComparison.Ordinal))
        {
            return new(null, $"certificate names trust domain '{party.TrustDomain}', not '{_trustDomain}'");
        }

        return new(party, null);
    }

    // X509Chain's application policy accepts a certificate that has no extended key usage at all
    // (RFC 5280: no EKU means any usage), and nothing stops a CA certificate from being presented as
    // a leaf. A client certificate must name clientAuth itself and must not be a CA.
    private static string? UsageProblem(X509Certificate2 certificate)
    {
        var hasUsageExtension = false;
        var allowsClientAuthentication = false;
        foreach (var extension in certificate.Extensions)
        {
            switch (extension)
            {
                case X509BasicConstraintsExtension { CertificateAuthority: true }:
                    return "certificate is a CA certificate (basicConstraints CA:TRUE); a client certificate must not be a CA";
                case X509EnhancedKeyUsageExtension usage:
                    hasUsageExtension = true;
                    foreach (var oid in usage.EnhancedKeyUsages)
                    {
                        allowsClientAuthentication |= oid.Value == ClientAuthentication.Value;
                    }

                    break;
            }
        }

        if (!hasUsageExtension)
        {
            return $"certificate has no extended key usage extension; a client certificate must name clientAuth ({ClientAuthentication.Value})";
        }

        return allowsClientAuthentication ? null : $"certificate's extended key usage does not include clientAuth ({ClientAuthentication.Value})";
    }
}
