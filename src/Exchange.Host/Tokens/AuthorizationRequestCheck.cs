using Microsoft.AspNetCore;
using System.Net;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Exchange.Host.Tokens;

/// <summary>
/// Checks an authorization request where, in degraded mode, no client registry does: the client is
/// a registered, active party, the request reached the console listener (no client certificate),
/// and the redirect URI is a loopback address (RFC 8252), where the party's own system listens.
/// A code is worth nothing to anyone else: only the party's certificate redeems it, with the PKCE verifier.
/// </summary>
internal sealed class AuthorizationRequestCheck(TokenStanding standing, ILogger<AuthorizationRequestCheck> logger)
    : IOpenIddictServerHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>
{
    public async ValueTask HandleAsync(OpenIddictServerEvents.ValidateAuthorizationRequestContext context)
    {
        var http = context.Transaction.GetHttpRequest()?.HttpContext ?? throw new InvalidOperationException("The authorization endpoint runs inside ASP.NET Core.");
        var clientId = context.ClientId ?? "";
        string? reason = null;
        if (http.Connection.ClientCertificate is not null)
        {
            reason = "the authorization endpoint is served on the console listener (Exchange:Console:Listen), not the partner listener";
        }
        else if (!IsLoopback(context.RedirectUri))
        {
            reason = "redirect_uri must be a loopback address (http://127.0.0.1:port/... or http://[::1]:port/...), where the party's system receives the code";
        }
        else
        {
            reason = (await standing.ActivePartyAsync(clientId, http.RequestAborted).ConfigureAwait(false)).Refusal;
        }

        if (reason is not null)
        {
            TokenLog.AuthorizationRefused(logger, clientId, Errors.InvalidRequest, reason);
            context.Reject(Errors.InvalidRequest, reason);
            return;
        }

        context.SetRedirectUri(context.RedirectUri!);
    }

    private static bool IsLoopback(string? redirectUri) =>
        Uri.TryCreate(redirectUri, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && string.IsNullOrEmpty(uri.Fragment)
        && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && (address.Equals(IPAddress.Loopback) || address.Equals(IPAddress.IPv6Loopback));
}
