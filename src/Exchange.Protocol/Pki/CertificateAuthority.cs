using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Exchange.Protocol.Identity;

namespace Exchange.Protocol.Pki;

/// <summary>
/// An issuing CA: signs server certificates and party client certificates (URI SAN = the party's
/// SPIFFE ID, <c>clientAuth</c> only) for public keys it is given. Subjects keep their private keys.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>Wraps a CA certificate that has its private key.</summary>
    public CertificateAuthority(X509Certificate2 certificate)
    {
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("The CA certificate must carry its private key.", nameof(certificate));
        }

        Certificate = certificate;
    }

    /// <summary>The CA's certificate (with its private key).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Creates a self-signed root (ECDSA P-256) valid for <paramref name="lifetime"/> from <paramref name="now"/>.</summary>
    public static CertificateAuthority CreateRoot(string commonName, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return new CertificateAuthority(request.CreateSelfSigned(now.AddMinutes(-5), now.Add(lifetime)));
    }

    /// <summary>
    /// Creates a subordinate (issuing) CA signed by this one, with a fresh ECDSA P-256 key, allowed
    /// to sign end-entity certificates and CRLs only (path length 0). This is how an offline root
    /// delegates day-to-day issuance to the hub.
    /// </summary>
    public CertificateAuthority IssueSubordinate(string commonName, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var notAfter = now.Add(lifetime) < Certificate.NotAfter ? now.Add(lifetime) : new DateTimeOffset(Certificate.NotAfter.ToUniversalTime());
        using var issued = request.Create(Certificate.SubjectName, SignatureGenerator(), now.AddMinutes(-5), notAfter, NewSerial());
        return new CertificateAuthority(issued.CopyWithPrivateKey(key));
    }

    /// <summary>
    /// Builds a CRL signed by this CA, listing <paramref name="entries"/> (serial numbers as hex,
    /// as <see cref="X509Certificate2.SerialNumber"/> gives them).
    /// </summary>
    public byte[] BuildCrl(IEnumerable<CrlEntry> entries, BigInteger crlNumber, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in entries)
        {
            builder.AddEntry(Convert.FromHexString(entry.SerialNumber), entry.RevokedAt, entry.Reason);
        }

        return builder.Build(Certificate, crlNumber, nextUpdate, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, thisUpdate);
    }

    /// <summary>Issues a TLS server certificate for the given names.</summary>
    public X509Certificate2 IssueServer(PublicKey subjectKey, string commonName, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        foreach (var address in addresses)
        {
            san.AddIpAddress(address);
        }

        return Issue(subjectKey, $"CN={commonName}", san.Build(), ServerAuthentication, X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, notBefore, notAfter);
    }

    /// <summary>Issues a party's client certificate: URI SAN = its SPIFFE ID, usable for client authentication only.</summary>
    public X509Certificate2 IssueClient(PublicKey subjectKey, PartySpiffeId party, string? organization, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(party.ToString()));
        var subject = organization is null ? $"CN={party.PartyId}" : $"CN={party.PartyId}, O={Escape(organization)}";
        return Issue(subjectKey, subject, san.Build(), ClientAuthentication, X509KeyUsageFlags.DigitalSignature, notBefore, notAfter);
    }

    /// <summary>Creates a fresh key pair and a client certificate for it (development and tests only).</summary>
    public X509Certificate2 IssueClientWithNewKey(PartySpiffeId party, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = IssueClient(PublicKeyOf(key), party, null, notBefore, notAfter);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Creates a fresh key pair and a server certificate for it (development and tests only).</summary>
    public X509Certificate2 IssueServerWithNewKey(string commonName, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = IssueServer(PublicKeyOf(key), commonName, dnsNames, addresses, notBefore, notAfter);
        return issued.CopyWithPrivateKey(key);
    }

    /// <inheritdoc />
    public void Dispose() => Certificate.Dispose();

    private static PublicKey PublicKeyOf(ECDsa key) => new CertificateRequest("CN=key", key, HashAlgorithmName.SHA256).PublicKey;

    private static string Escape(string value) => value.Replace("\"", "\\\"", StringComparison.Ordinal) is var v && v.IndexOfAny([',', '+', '=', '<', '>', '#', ';']) >= 0 ? $"\"{v}\"" : v;

    private X509Certificate2 Issue(PublicKey subjectKey, string subject, X509Extension subjectAltName, Oid usage, X509KeyUsageFlags keyUsage, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        if (notAfter > Certificate.NotAfter)
        {
            notAfter = Certificate.NotAfter;
        }

        var request = new CertificateRequest(new X500DistinguishedName(subject), subjectKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(keyUsage, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(subjectAltName);
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(subjectKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        return request.Create(Certificate.SubjectName, SignatureGenerator(), notBefore, notAfter, NewSerial());
    }

    // 128 random bits, positive: unguessable and, in practice, unique (CA/B Forum asks for 64+).
    private static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        return serial;
    }

    // An ECDSA or an RSA CA key: a production issuing CA may have either.
    private X509SignatureGenerator SignatureGenerator() =>
        Certificate.GetECDsaPrivateKey() is { } ecdsa ? X509SignatureGenerator.CreateForECDsa(ecdsa)
        : Certificate.GetRSAPrivateKey() is { } rsa ? X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1)
        : throw new NotSupportedException("The CA key must be ECDSA or RSA.");
}

/// <summary>One revoked certificate in a CRL.</summary>
/// <param name="SerialNumber">The certificate's serial number in hex.</param>
/// <param name="RevokedAt">When it was revoked.</param>
/// <param name="Reason">Why (RFC 5280 reason code).</param>
public sealed record CrlEntry(string SerialNumber, DateTimeOffset RevokedAt, X509RevocationReason Reason);
