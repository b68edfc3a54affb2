namespace Exchange.Host.Tokens;

/// <summary>Claim names of the hub's access tokens beside <see cref="Staff.StaffClaims"/>.</summary>
internal static class TokenClaims
{
    /// <summary>RFC 8693 actor: in a vendor's token for a garage, <c>{"sub": vendor}</c>.</summary>
    public const string Actor = "act";
}
