namespace Exchange.Domain.Parties;

/// <summary>A party's role at the hub; its wire name is used in grants and the declaration.</summary>
public enum PartyRole
{
    /// <summary>A member garage (整備工場): owns its customers' records.</summary>
    MemberGarage,

    /// <summary>The group body (the association and the company it runs).</summary>
    GroupBody,

    /// <summary>A garage-software vendor acting for garages that authorised it.</summary>
    Vendor,

    /// <summary>The hub operator.</summary>
    Administrator,
}

/// <summary>Whether a party may call the hub.</summary>
public enum PartyStatus
{
    /// <summary>May call.</summary>
    Active,

    /// <summary>Temporarily refused.</summary>
    Suspended,

    /// <summary>Left the joint use for good.</summary>
    Withdrawn,
}

/// <summary>A party registered at the hub.</summary>
/// <param name="Id">The party ID of its SPIFFE ID, e.g. <c>garage-kaminoyama</c>.</param>
/// <param name="Role">Its role.</param>
/// <param name="Status">Whether it may call.</param>
/// <param name="NameJa">Legal name in Japanese.</param>
/// <param name="NameEn">Legal name in Latin script.</param>
public sealed record Party(string Id, PartyRole Role, PartyStatus Status, string NameJa, string NameEn);

/// <summary>Wire names of roles.</summary>
public static class PartyRoles
{
    /// <summary>The wire name of a role, e.g. <c>member-garage</c>.</summary>
    public static string ToWire(this PartyRole role) => role switch
    {
        PartyRole.MemberGarage => "member-garage",
        PartyRole.GroupBody => "group-body",
        PartyRole.Vendor => "vendor",
        PartyRole.Administrator => "administrator",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    /// <summary>Parses a wire name.</summary>
    public static bool TryParse(string? value, out PartyRole role)
    {
        foreach (var candidate in Enum.GetValues<PartyRole>())
        {
            if (candidate.ToWire() == value)
            {
                role = candidate;
                return true;
            }
        }

        role = default;
        return false;
    }
}

/// <summary>Looks parties up; storage implements it.</summary>
public interface IPartyDirectory
{
    /// <summary>The party with this ID, or null.</summary>
    Task<Party?> FindAsync(string partyId, CancellationToken cancellationToken);
}
