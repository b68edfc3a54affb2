using Microsoft.AspNetCore;
using System.Security.Claims;
using Exchange.Host.Staff;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Exchange.Host.Tokens;

/// <summary>
/// <c>/connect/authorize</c> for staff (authorization code with PKCE): the person is the one signed
/// in to the console (<see cref="StaffClaims.ConsoleScheme"/>); without a session, the console's
/// sign-in challenges and returns here. The code is issued only to a staff member of the client party.
/// </summary>
internal static class AuthorizationEndpoint
{
    public const string Path = "/connect/authorize";

    public static void Map(WebApplication app) =>
        app.MapMethods(Path, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync).ExcludeFromDescription();

    private static async Task<IResult> AuthorizeAsync(HttpContext http, TokenStanding standing, IAuthenticationSchemeProvider schemes, ILogger<TokenIssuance> logger)
    {
        var request = http.GetOpenIddictServerRequest();
        if (request is null)
        {
            return Results.BadRequest();
        }

        if (await schemes.GetSchemeAsync(StaffClaims.ConsoleScheme).ConfigureAwait(false) is null)
        {
            return Refuse(logger, request.ClientId, Errors.TemporarilyUnavailable, "staff sign-in (the console) is not configured at this hub");
        }

        var session = await http.AuthenticateAsync(StaffClaims.ConsoleScheme).ConfigureAwait(false);
        if (!session.Succeeded)
        {
            var back = http.Request.PathBase + http.Request.Path + QueryString.Create(request.GetParameters().Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString())));
            return Results.Challenge(new AuthenticationProperties { RedirectUri = back }, [StaffClaims.ConsoleScheme]);
        }

        var staffId = session.Principal.FindFirstValue(StaffClaims.StaffId);
        var (member, refusal) = staffId is null
            ? ((Domain.Staff.StaffMember?)null, "the console session names no staff member")
            : await standing.StaffAsync(staffId, request.ClientId!, http.RequestAborted).ConfigureAwait(false);
        if (member is null)
        {
            return Refuse(logger, request.ClientId, Errors.AccessDenied, refusal!);
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Subject, StaffClaims.Role);
        identity.SetClaim(Claims.Subject, member.Id).SetClaim(StaffClaims.StaffId, member.Id).SetClaim(StaffClaims.Party, member.PartyId).SetClaim(StaffClaims.Role, member.Role.ToString());
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Refuse(ILogger logger, string? clientId, string error, string reason)
    {
        TokenLog.AuthorizationRefused(logger, clientId ?? "anonymous", error, reason);
        return Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = reason,
            }),
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }
}
