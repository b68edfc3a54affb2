using Exchange.Domain.Parties;

namespace Exchange.Domain;

/// <summary>Who is calling, and the call's ID for the provision log.</summary>
/// <param name="Caller">The registered party behind the client certificate.</param>
/// <param name="CallId">A unique ID of this call.</param>
public sealed record CallContext(Party Caller, string CallId)
{
    /// <summary>
    /// The pseudonymous ID of the staff member who acted, when the call carried a staff token bound
    /// to the caller's certificate (checked to be of the same party); null when the party's system acted.
    /// </summary>
    public string? StaffId { get; init; }

    /// <summary>Refuses the call unless the caller is an administrator.</summary>
    public void RequireAdministrator()
    {
        if (Caller.Role != PartyRole.Administrator)
        {
            throw new ExchangeException(FailureKind.PermissionDenied, $"administrators only; '{Caller.Id}' is a {Caller.Role.ToWire()} (rule role.administrator-only)", "role.administrator-only");
        }
    }
}
