using Microsoft.AspNetCore;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Exchange.Domain.Parties;
using Exchange.Host.Staff;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Exchange.Host.Tokens;

/// <summary>
/// Decides what an authenticated client's token says, for the three grants the hub allows:
/// client credentials (the party's system, scopes = its granted purposes), token exchange (a vendor
/// acting for a garage that authorised it) and authorization code (a staff member of the client party).
/// OpenIddict binds every access token to the presenting certificate (<c>cnf</c>/<c>x5t#S256</c>).
/// </summary>
internal sealed class TokenIssuance(TokenStanding standing, ILogger<TokenIssuance> logger)
    : IOpenIddictServerHandler<OpenIddictServerEvents.HandleTokenRequestContext>
{
    public async ValueTask HandleAsync(OpenIddictServerEvents.HandleTokenRequestContext context)
    {
        var clientId = context.ClientId!;
        var cancellationToken = context.Transaction.GetHttpRequest()?.HttpContext.RequestAborted ?? CancellationToken.None;
        var (identity, error, reason) = context.Request.GrantType switch
        {
            GrantTypes.ClientCredentials => await ClientCredentialsAsync(context.Request, clientId, cancellationToken).ConfigureAwait(false),
            GrantTypes.TokenExchange => await TokenExchangeAsync(context, clientId, cancellationToken).ConfigureAwait(false),
            GrantTypes.AuthorizationCode => await AuthorizationCodeAsync(context.AuthorizationCodePrincipal, clientId, cancellationToken).ConfigureAwait(false),
            _ => ((ClaimsIdentity?)null, (string?)Errors.UnsupportedGrantType, (string?)"the hub issues tokens by client_credentials, token exchange and authorization_code only"),
        };
        if (identity is null)
        {
            TokenLog.RequestRefused(logger, context.Request.GrantType ?? "none", clientId, error!, reason!);
            context.Reject(error!, reason!);
            return;
        }

        identity.SetDestinations(_ => [Destinations.AccessToken]);
        var serial = context.Transaction.GetHttpRequest()?.HttpContext.Connection.ClientCertificate?.SerialNumber ?? "none";
        TokenLog.Issued(logger, context.Request.GrantType!, clientId, identity.GetClaim(Claims.Subject)!, serial);
        context.SignIn(new ClaimsPrincipal(identity));
    }

    private async Task<(ClaimsIdentity?, string?, string?)> ClientCredentialsAsync(OpenIddictRequest request, string clientId, CancellationToken cancellationToken)
    {
        var (party, refusal) = await standing.ActivePartyAsync(clientId, cancellationToken).ConfigureAwait(false);
        if (party is null)
        {
            return (null, Errors.UnauthorizedClient, refusal);
        }

        var granted = await standing.GrantedPurposesAsync(party, cancellationToken).ConfigureAwait(false);
        var requested = request.GetScopes();
        if (requested.FirstOrDefault(s => !granted.Contains(s)) is { } notGranted)
        {
            return (null, Errors.InvalidScope, $"scope '{notGranted}' is not a purpose granted to party '{clientId}'");
        }

        var identity = NewIdentity(clientId, clientId);
        identity.SetScopes(requested.IsDefaultOrEmpty ? granted.Order(StringComparer.Ordinal) : requested);
        return (identity, null, null);
    }

    // RFC 8693 as the hub reads it: the subject token is the vendor's own access token (its system's
    // identity), the audience names the garage whose authority the vendor asks for; the garage's consent
    // is its recorded authorisation, so there is no garage token to present.
    private async Task<(ClaimsIdentity?, string?, string?)> TokenExchangeAsync(OpenIddictServerEvents.HandleTokenRequestContext context, string vendorId, CancellationToken cancellationToken)
    {
        var subject = context.SubjectTokenPrincipal;
        if (subject is null || !string.Equals(subject.GetClaim(StaffClaims.Party), vendorId, StringComparison.Ordinal)
            || subject.GetClaim(StaffClaims.StaffId) is not null || subject.GetClaim(TokenClaims.Actor) is not null)
        {
            return (null, Errors.InvalidGrant, $"the subject_token must be an access token issued to '{vendorId}' by client_credentials");
        }

        if (!string.IsNullOrEmpty(context.Request.ActorToken))
        {
            return (null, Errors.InvalidRequest, "actor_token is not used: the client certificate names the actor");
        }

        var audiences = context.Request.GetAudiences();
        if (audiences.Length != 1)
        {
            return (null, Errors.InvalidTarget, "name exactly one garage, by its party ID, in the audience parameter");
        }

        var garageId = audiences[0];
        var (vendor, vendorRefusal) = await standing.ActivePartyAsync(vendorId, cancellationToken).ConfigureAwait(false);
        if (vendor is null || vendor.Role != PartyRole.Vendor)
        {
            return (null, Errors.UnauthorizedClient, vendorRefusal ?? $"party '{vendorId}' is not a vendor: only vendors act for garages");
        }

        if (await standing.VendorRefusalAsync(garageId, vendorId, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            return (null, Errors.AccessDenied, refusal);
        }

        var identity = NewIdentity(garageId, garageId);
        identity.SetClaim(TokenClaims.Actor, new JsonObject { [Claims.Subject] = vendorId });
        return (identity, null, null);
    }

    private async Task<(ClaimsIdentity?, string?, string?)> AuthorizationCodeAsync(ClaimsPrincipal? code, string clientId, CancellationToken cancellationToken)
    {
        var staffId = code?.GetClaim(StaffClaims.StaffId);
        if (staffId is null || !string.Equals(code!.GetClaim(StaffClaims.Party), clientId, StringComparison.Ordinal))
        {
            return (null, Errors.InvalidGrant, $"the authorization code was not issued for a staff member of '{clientId}'");
        }

        var (member, refusal) = await standing.StaffAsync(staffId, clientId, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return (null, Errors.InvalidGrant, refusal);
        }

        var identity = NewIdentity(staffId, clientId);
        identity.SetClaim(StaffClaims.StaffId, staffId).SetClaim(StaffClaims.Role, member.Role.ToString());
        return (identity, null, null);
    }

    private static ClaimsIdentity NewIdentity(string subject, string party)
    {
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Subject, StaffClaims.Role);
        identity.SetClaim(Claims.Subject, subject).SetClaim(StaffClaims.Party, party);
        return identity;
    }
}
