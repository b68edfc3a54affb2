using System.Security.Cryptography.X509Certificates;
using Exchange.Domain.Certificates;
using Exchange.Domain.Parties;
using Exchange.Protocol.Identity;

namespace Exchange.Host.Pki;

/// <summary>
/// Refuses, on every call, a revoked certificate and a party that is not registered or not active,
/// reading the shared database each time: a revocation or suspension made through any hub instance
/// takes effect at every instance on the very next call, on connections already open too.
/// </summary>
internal sealed class RegistryCertificateStatusSource(ICallerStandingStore standing) : ICertificateStatusSource
{
    public async ValueTask<CallerRefusal?> GetRefusalAsync(X509Certificate2 certificate, PartySpiffeId party, CancellationToken cancellationToken)
    {
        var found = await standing.GetAsync(party.PartyId, certificate.SerialNumber, cancellationToken).ConfigureAwait(false);
        if (found.Revocation is { } reason)
        {
            return CallerRefusal.Unauthenticated(Revoked(certificate, reason));
        }

        return found.PartyStatus switch
        {
            null => CallerRefusal.PermissionDenied($"party '{party.PartyId}' is not registered at the hub (rule party.unknown)"),
            PartyStatus.Active => null,
            var status => CallerRefusal.PermissionDenied($"party '{party.PartyId}' is {status.Value.ToString().ToLowerInvariant()} (rule party.inactive)"),
        };
    }

    internal static string Revoked(X509Certificate2 certificate, RevocationReason reason) =>
        $"certificate {certificate.SerialNumber} is revoked ({reason.ToWire()})";
}

/// <summary>
/// Closes a connection at the TLS handshake when its client certificate is revoked. Kestrel asks
/// synchronously, so this is one small synchronous query; if the database cannot answer, the
/// connection is refused (fail closed).
/// </summary>
internal sealed class RevokedCertificateHandshakeCheck(ICallerStandingStore standing, ILogger<RevokedCertificateHandshakeCheck> logger) : IHandshakeCertificateCheck
{
    public string? GetRefusal(X509Certificate2 certificate, PartySpiffeId party)
    {
        try
        {
            return standing.FindRevocation(certificate.SerialNumber) is { } reason ? RegistryCertificateStatusSource.Revoked(certificate, reason) : null;
        }
        catch (Exception e)
        {
            PkiLog.HandshakeCheckFailed(logger, e, certificate.SerialNumber);
            return "the hub could not check whether the certificate is revoked";
        }
    }
}
