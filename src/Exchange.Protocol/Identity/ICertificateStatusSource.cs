using System.Security.Cryptography.X509Certificates;

namespace Exchange.Protocol.Identity;

/// <summary>
/// Says whether a chain-valid client certificate may still be used: consulted at every TLS
/// handshake and again on every call, so a revocation takes effect on open connections too.
/// </summary>
public interface ICertificateStatusSource
{
    /// <summary>Returns <c>null</c> when the certificate may be used, otherwise the reason it may not.</summary>
    ValueTask<string?> GetRefusalAsync(X509Certificate2 certificate, PartySpiffeId party, CancellationToken cancellationToken);
}

/// <summary>The status source used when nothing is revoked or suspended (no registry configured).</summary>
public sealed class NoCertificateRefusals : ICertificateStatusSource
{
    /// <inheritdoc />
    public ValueTask<string?> GetRefusalAsync(X509Certificate2 certificate, PartySpiffeId party, CancellationToken cancellationToken) =>
        ValueTask.FromResult<string?>(null);
}
