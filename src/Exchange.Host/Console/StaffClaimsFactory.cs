using System.Security.Claims;
using Exchange.Domain.Parties;
using Exchange.Host.Staff;
using Exchange.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Exchange.Host.Console;

/// <summary>A session names the person by staff ID, party and roles; their sign-in name stays in the account.</summary>
internal sealed class StaffClaimsFactory(UserManager<StaffAccount> users, IOptions<IdentityOptions> options, IPartyDirectory parties)
    : UserClaimsPrincipalFactory<StaffAccount>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(StaffAccount user)
    {
        var identity = await base.GenerateClaimsAsync(user).ConfigureAwait(false);
        foreach (var name in identity.FindAll(identity.NameClaimType).ToList())
        {
            identity.RemoveClaim(name);
        }

        var party = await parties.FindAsync(user.PartyId, CancellationToken.None).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"staff {user.Id} belongs to unknown party '{user.PartyId}'");
        identity.AddClaim(new Claim(StaffClaims.StaffId, user.Id));
        identity.AddClaim(new Claim(StaffClaims.Party, user.PartyId));
        identity.AddClaim(new Claim(StaffClaims.Role, user.Role.ToString()));
        identity.AddClaim(new Claim(ConsoleClaims.PartyRole, party.Role.ToWire()));
        return identity;
    }
}
