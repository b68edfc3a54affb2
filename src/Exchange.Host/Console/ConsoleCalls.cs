using System.Security.Claims;
using Exchange.Domain;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Exchange.Host.Staff;

namespace Exchange.Host.Console;

/// <summary>Turns a signed-in person into the call context the domain services take: their party, with their staff ID.</summary>
internal sealed class ConsoleCalls(IPartyDirectory parties)
{
    public async Task<CallContext> CreateAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var partyId = user.FindFirstValue(StaffClaims.Party) ?? throw new ExchangeException(FailureKind.PermissionDenied, "no party in the session");
        var party = await parties.FindAsync(partyId, cancellationToken).ConfigureAwait(false);
        if (party is not { Status: PartyStatus.Active })
        {
            throw new ExchangeException(FailureKind.PermissionDenied, $"party '{partyId}' is not active (rule {PolicyRules.PartyInactive})", PolicyRules.PartyInactive);
        }

        return new CallContext(party, "call_" + Guid.CreateVersion7().ToString("N")) { StaffId = user.FindFirstValue(StaffClaims.StaffId) };
    }
}
