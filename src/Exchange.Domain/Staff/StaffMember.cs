namespace Exchange.Domain.Staff;

/// <summary>
/// A person who works for a party and signs in as themselves. The hub's records name them only by
/// <see cref="Id"/>, a pseudonymous ID that carries nothing about the person; their name and
/// sign-in name stay in the staff account.
/// </summary>
/// <param name="Id">The pseudonymous staff ID, e.g. <c>stf_3k9x...</c>.</param>
/// <param name="PartyId">The party they work for.</param>
/// <param name="Role">What they may do for it.</param>
/// <param name="Enabled">False once disabled: their sessions and tokens stop at once.</param>
public sealed record StaffMember(string Id, string PartyId, StaffRole Role, bool Enabled)
{
    /// <summary>The prefix of every staff ID.</summary>
    public const string IdPrefix = "stf_";

    /// <summary>A new random staff ID.</summary>
    public static string NewId() => IdPrefix + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(10));
}
