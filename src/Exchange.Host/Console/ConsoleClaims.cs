namespace Exchange.Host.Console;

/// <summary>What the console adds to <see cref="Staff.StaffClaims"/> in its sessions, and its policy names.</summary>
internal static class ConsoleClaims
{
    /// <summary>The wire name of the person's party's role (parties never change role).</summary>
    public const string PartyRole = "party_role";

    /// <summary>Any signed-in person with a valid session.</summary>
    public const string StaffPolicy = "console.staff";

    /// <summary>Operators: staff of the administrator party.</summary>
    public const string OperatorPolicy = "console.operator";

    /// <summary>Operators and party administrators: those who manage staff accounts.</summary>
    public const string StaffAdministratorPolicy = "console.staff-administrator";

    /// <summary>The request item that says an operator has no second factor yet (set by <see cref="StaffSessionValidator"/>).</summary>
    public const string NeedsSecondFactorItem = "exchange.console.needs-2fa";
}
