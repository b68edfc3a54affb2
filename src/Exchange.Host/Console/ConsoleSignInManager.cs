using Exchange.Domain.Parties;
using Exchange.Host.Staff;
using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Exchange.Host.Console;

/// <summary>Identity's sign-in, into the console's cookie scheme; a disabled person or a person of a party that is not active cannot sign in.</summary>
internal sealed class ConsoleSignInManager : SignInManager<StaffAccount>
{
    private readonly IPartyDirectory _parties;

    public ConsoleSignInManager(
        UserManager<StaffAccount> userManager,
        IHttpContextAccessor contextAccessor,
        IUserClaimsPrincipalFactory<StaffAccount> claimsFactory,
        IOptions<IdentityOptions> optionsAccessor,
        ILogger<SignInManager<StaffAccount>> logger,
        IAuthenticationSchemeProvider schemes,
        IUserConfirmation<StaffAccount> confirmation,
        IPartyDirectory parties)
        : base(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
    {
        _parties = parties;
        AuthenticationScheme = StaffClaims.ConsoleScheme;
    }

    public override async Task<bool> CanSignInAsync(StaffAccount user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Enabled
            && await _parties.FindAsync(user.PartyId, CancellationToken.None).ConfigureAwait(false) is { Status: PartyStatus.Active }
            && await base.CanSignInAsync(user).ConfigureAwait(false);
    }
}
