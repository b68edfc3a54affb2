using System.Security.Claims;
using Exchange.Domain.Parties;
using Exchange.Host.Staff;
using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Exchange.Host.Console;

/// <summary>
/// Checks a console session on every request against the account and the party as stored now (no
/// cache): a disabled person, a reset second factor, a lock-out or a suspended or withdrawn party
/// ends it at once.
/// </summary>
internal static class StaffSessionValidator
{
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var cancellationToken = context.HttpContext.RequestAborted;
        var staffId = context.Principal?.FindFirstValue(StaffClaims.StaffId);
        var users = services.GetRequiredService<UserManager<StaffAccount>>();
        var account = staffId is null ? null : await users.FindByIdAsync(staffId).ConfigureAwait(false);
        var party = account is null ? null : await services.GetRequiredService<IPartyDirectory>().FindAsync(account.PartyId, cancellationToken).ConfigureAwait(false);
        var stamp = context.Principal?.FindFirstValue(services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType);
        var refusal = account switch
        {
            null => "no such staff account",
            { Enabled: false } => "the person is disabled",
            _ when party is not { Status: PartyStatus.Active } => $"party {account.PartyId} is {party?.Status.ToString().ToLowerInvariant() ?? "unknown"}",
            _ when stamp != account.SecurityStamp => "the account changed (second factor reset or password changed)",
            _ when await users.IsLockedOutAsync(account).ConfigureAwait(false) => "the account is locked out",
            _ => null,
        };
        if (refusal is not null)
        {
            ConsoleLog.SessionEnded(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StaffSessionValidator)), staffId ?? "(none)", refusal);
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(StaffClaims.ConsoleScheme).ConfigureAwait(false);
            return;
        }

        context.HttpContext.Items[ConsoleClaims.NeedsSecondFactorItem] = party!.Role == PartyRole.Administrator && !account!.TwoFactorEnabled;
    }
}
