using System.Security.Cryptography.X509Certificates;
using Grpc.Core;

namespace Exchange.Protocol.Identity;

/// <summary>Why a caller with a chain-valid certificate may not go on, and the status that says so.</summary>
/// <param name="Code"><see cref="StatusCode.Unauthenticated"/> when the certificate itself is no longer good
/// (revoked), <see cref="StatusCode.PermissionDenied"/> when the certificate is good but its holder may not call.</param>
/// <param name="Reason">A message safe to return to the caller.</param>
/// <param name="Rule">The rule that refused, sent in the <c>exchange-rule</c> trailer; null when none is named.</param>
public sealed record CallerRefusal(StatusCode Code, string Reason, string? Rule = null)
{
    /// <summary>The certificate may no longer be used.</summary>
    public static CallerRefusal Unauthenticated(string reason, string? rule = null) => new(StatusCode.Unauthenticated, reason, rule);

    /// <summary>The certificate is good, but the party behind it may not call.</summary>
    public static CallerRefusal PermissionDenied(string reason, string? rule = null) => new(StatusCode.PermissionDenied, reason, rule);
}

/// <summary>
/// Says whether a chain-valid client certificate may still be used: consulted on every call, so a
/// revocation or a suspension takes effect on connections that are already open.
/// </summary>
public interface ICertificateStatusSource
{
    /// <summary>Returns <c>null</c> when the call may proceed, otherwise why it may not.</summary>
    ValueTask<CallerRefusal?> GetRefusalAsync(X509Certificate2 certificate, PartySpiffeId party, CancellationToken cancellationToken);
}

/// <summary>
/// Says, during the TLS handshake, whether a chain-valid client certificate may open a connection at
/// all (a revoked one may not). Kestrel asks synchronously, so an implementation must answer quickly.
/// </summary>
public interface IHandshakeCertificateCheck
{
    /// <summary>Returns <c>null</c> when the connection may be opened, otherwise why it may not.</summary>
    string? GetRefusal(X509Certificate2 certificate, PartySpiffeId party);
}

/// <summary>The status source used when nothing is revoked or suspended (no registry configured).</summary>
public sealed class NoCertificateRefusals : ICertificateStatusSource
{
    /// <inheritdoc />
    public ValueTask<CallerRefusal?> GetRefusalAsync(X509Certificate2 certificate, PartySpiffeId party, CancellationToken cancellationToken) =>
        ValueTask.FromResult<CallerRefusal?>(null);
}
