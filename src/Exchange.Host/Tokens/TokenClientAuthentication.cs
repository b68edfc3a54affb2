using Microsoft.AspNetCore;
using Exchange.Protocol.Identity;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Exchange.Host.Tokens;

/// <summary>
/// Authenticates the client at the token endpoint by its mutual-TLS certificate (RFC 8705
/// <c>tls_client_auth</c>): the client ID must be the party the certificate's SPIFFE ID names, and the
/// certificate must pass the same checks as on every gRPC call (chain, SPIFFE ID, registry, revocation,
/// party status). The party registry is the client registry; there is no other.
/// </summary>
internal sealed class TokenClientAuthentication(ClientCertificateValidator validator, ICertificateStatusSource status, ILogger<TokenClientAuthentication> logger)
    : IOpenIddictServerHandler<OpenIddictServerEvents.ValidateTokenRequestContext>
{
    public async ValueTask HandleAsync(OpenIddictServerEvents.ValidateTokenRequestContext context)
    {
        var http = context.Transaction.GetHttpRequest()?.HttpContext ?? throw new InvalidOperationException("The token endpoint runs inside ASP.NET Core.");
        var certificate = http.Connection.ClientCertificate;
        var refusal = certificate switch
        {
            null => (Errors.InvalidClient, "a client certificate is required (tls_client_auth): call the token endpoint on the hub's mutual-TLS listener"),
            _ when !string.IsNullOrEmpty(context.Request.ClientSecret) || !string.IsNullOrEmpty(context.Request.ClientAssertion) =>
                (Errors.InvalidClient, "clients authenticate with their certificate only (tls_client_auth), not with a secret or an assertion"),
            _ => await CertificateRefusalAsync(certificate, context.ClientId, http.RequestAborted).ConfigureAwait(false),
        };
        if (refusal is var (error, reason))
        {
            TokenLog.RequestRefused(logger, context.Request.GrantType ?? "none", context.ClientId ?? "anonymous", error, reason);
            context.Reject(error, reason);
        }
    }

    private async ValueTask<(string Error, string Reason)?> CertificateRefusalAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, string? clientId, CancellationToken cancellationToken)
    {
        var check = validator.Validate(certificate);
        if (!check.IsValid)
        {
            return (Errors.InvalidClient, check.Refusal!);
        }

        if (!string.Equals(clientId, check.Party!.PartyId, StringComparison.Ordinal))
        {
            return (Errors.InvalidClient, $"client_id '{clientId}' is not the party '{check.Party.PartyId}' the client certificate names");
        }

        return await status.GetRefusalAsync(certificate, check.Party, cancellationToken).ConfigureAwait(false) is { } refused
            ? (refused.Code == Grpc.Core.StatusCode.PermissionDenied ? Errors.UnauthorizedClient : Errors.InvalidClient, refused.Reason)
            : null;
    }
}
