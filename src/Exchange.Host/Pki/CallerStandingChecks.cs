using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Exchange.Domain.Certificates;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Exchange.Protocol.Identity;

namespace Exchange.Host.Pki;

/// <summary>
/// Refuses, on every call, a certificate the registry did not issue or record (for the party it
/// names, with the same fingerprint), a revoked certificate, and a party that is not registered or not
/// active, reading the shared database each time: a revocation or suspension made through any hub
/// instance takes effect at every instance on the very next call, on connections already open too.
/// A chain to the hub's CA is not enough, so a leaked or misused CA key alone mints no identity.
/// </summary>
internal sealed class RegistryCertificateStatusSource(ICallerStandingStore standing) : ICertificateStatusSource
{
    public async ValueTask<CallerRefusal?> GetRefusalAsync(X509Certificate2 certificate, PartySpiffeId party, CancellationToken cancellationToken)
    {
        var found = await standing.GetAsync(party.PartyId, certificate.SerialNumber, cancellationToken).ConfigureAwait(false);
        if (CertificateRefusal(found, certificate, party) is { } refusal)
        {
            return CallerRefusal.Unauthenticated(refusal);
        }

        return found.PartyStatus switch
        {
            null => CallerRefusal.PermissionDenied($"party '{party.PartyId}' is not registered at the hub (rule {PolicyRules.PartyUnknown})", PolicyRules.PartyUnknown),
            PartyStatus.Active => null,
            var status => CallerRefusal.PermissionDenied($"party '{party.PartyId}' is {status.Value.ToString().ToLowerInvariant()} (rule {PolicyRules.PartyInactive})", PolicyRules.PartyInactive),
        };
    }

    /// <summary>Why the certificate itself may not be used (revoked, or not as the registry issued it), or null.</summary>
    internal static string? CertificateRefusal(CallerStanding standing, X509Certificate2 certificate, PartySpiffeId party)
    {
        if (standing.Revocation is { } reason)
        {
            return $"certificate {certificate.SerialNumber} is revoked ({reason.ToWire()})";
        }

        return standing.Issued switch
        {
            null => NotIssued(certificate, "no certificate with this serial number is recorded"),
            { PartyId: var owner } when !string.Equals(owner, party.PartyId, StringComparison.Ordinal) => NotIssued(certificate, "its serial number is recorded for another party"),
            { Sha256Fingerprint: var fingerprint } when !HasFingerprint(certificate, fingerprint) => NotIssued(certificate, "its serial number is recorded for a different certificate"),
            _ => null,
        };
    }

    private static string NotIssued(X509Certificate2 certificate, string why) =>
        $"certificate {certificate.SerialNumber} was not issued by this hub's registry ({why}; rule certificate.unrecorded)";

    // Compares without allocating: this runs on every call.
    private static bool HasFingerprint(X509Certificate2 certificate, string recordedHex)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(certificate.RawDataMemory.Span, hash);
        Span<char> hex = stackalloc char[SHA256.HashSizeInBytes * 2];
        return Convert.TryToHexStringLower(hash, hex, out _) && recordedHex.AsSpan().Equals(hex, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>
/// Closes a connection at the TLS handshake when its client certificate is revoked or is not one the
/// registry issued or recorded. Kestrel asks synchronously, so this is the same small query the
/// per-call check runs, made synchronously; if the database cannot answer, the connection is refused
/// (fail closed). The party's status is left to the calls, which say why with PERMISSION_DENIED.
/// </summary>
internal sealed class RegistryCertificateHandshakeCheck(ICallerStandingStore standing, ILogger<RegistryCertificateHandshakeCheck> logger) : IHandshakeCertificateCheck
{
    public string? GetRefusal(X509Certificate2 certificate, PartySpiffeId party)
    {
        CallerStanding found;
        try
        {
            found = standing.Get(party.PartyId, certificate.SerialNumber);
        }
        catch (Exception e)
        {
            PkiLog.HandshakeCheckFailed(logger, e, certificate.SerialNumber);
            return "the hub could not check the certificate against its registry";
        }

        return RegistryCertificateStatusSource.CertificateRefusal(found, certificate, party);
    }
}
