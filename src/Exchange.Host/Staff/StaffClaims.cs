namespace Exchange.Host.Staff;

/// <summary>
/// The names shared by the console's sign-in, the token service and the gRPC token check: claim
/// types in console sessions and access tokens, and the console's cookie scheme.
/// </summary>
internal static class StaffClaims
{
    /// <summary>The console's cookie authentication scheme (staff sessions).</summary>
    public const string ConsoleScheme = "Exchange.Console";

    /// <summary>The pseudonymous staff ID (<see cref="Domain.Staff.StaffMember.Id"/>) of a person's session or token.</summary>
    public const string StaffId = "staff_id";

    /// <summary>The party a person works for, or a system token's party.</summary>
    public const string Party = "party";

    /// <summary>A person's <see cref="Domain.Staff.StaffRole"/>, as its name.</summary>
    public const string Role = "staff_role";
}
