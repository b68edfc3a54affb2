using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Exchange.Domain.Staff;

namespace Exchange.Host.Tokens;

/// <summary>
/// The checks a token depends on that can change while it lives, made when it is issued and again
/// on every call that carries it, reading the database each time: a person disabled, a party
/// suspended or an authorisation withdrawn ends the tokens at once.
/// </summary>
internal sealed class TokenStanding(IPartyDirectory parties, IGrantStore grants, IVendorAuthorisations authorisations, IStaffDirectory staff, TimeProvider time)
{
    /// <summary>The purposes granted to <paramref name="party"/> (to it or to its role): the scopes its tokens may carry.</summary>
    public async Task<IReadOnlySet<string>> GrantedPurposesAsync(Party party, CancellationToken cancellationToken) =>
        (await grants.ListAsync(cancellationToken).ConfigureAwait(false)).Where(g => g.AppliesTo(party)).Select(g => g.Purpose).ToHashSet(StringComparer.Ordinal);

    /// <summary>The active party <paramref name="partyId"/>, or why not.</summary>
    public async Task<(Party? Party, string? Refusal)> ActivePartyAsync(string partyId, CancellationToken cancellationToken)
    {
        var party = await parties.FindAsync(partyId, cancellationToken).ConfigureAwait(false);
        return party switch
        {
            null => (null, $"party '{partyId}' is not registered at the hub (rule {PolicyRules.PartyUnknown})"),
            { Status: not PartyStatus.Active } => (null, $"party '{partyId}' is {party.Status.ToString().ToLowerInvariant()} (rule {PolicyRules.PartyInactive})"),
            _ => (party, null),
        };
    }

    /// <summary>Why vendor <paramref name="vendorId"/> may not act for <paramref name="garageId"/> now, or null.</summary>
    public async Task<string?> VendorRefusalAsync(string garageId, string vendorId, CancellationToken cancellationToken)
    {
        var (garage, refusal) = await ActivePartyAsync(garageId, cancellationToken).ConfigureAwait(false);
        if (garage is null)
        {
            return refusal;
        }

        var now = time.GetUtcNow();
        var recorded = await authorisations.FindAsync(garageId, vendorId, cancellationToken).ConfigureAwait(false);
        return recorded.Any(a => VendorOperations.All.Any(operation => a.Covers(operation, now)))
            ? null
            : $"garage '{garageId}' has no current authorisation for vendor '{vendorId}' (withdrawn, ended or never given)";
    }

    /// <summary>The enabled staff member <paramref name="staffId"/> of <paramref name="partyId"/>, or why not.</summary>
    public async Task<(StaffMember? Member, string? Refusal)> StaffAsync(string staffId, string partyId, CancellationToken cancellationToken)
    {
        var member = await staff.FindAsync(staffId, cancellationToken).ConfigureAwait(false);
        return member switch
        {
            null => (null, $"staff member '{staffId}' is not known at the hub"),
            { Enabled: false } => (null, $"staff member '{staffId}' is disabled"),
            _ when !string.Equals(member.PartyId, partyId, StringComparison.Ordinal) => (null, $"staff member '{staffId}' works for '{member.PartyId}', not for '{partyId}'"),
            _ => (member, null),
        };
    }
}
