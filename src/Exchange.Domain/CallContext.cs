using Exchange.Domain.Parties;

namespace Exchange.Domain;

/// <summary>Who is calling, and the call's ID for the provision log.</summary>
/// <param name="Caller">The registered party behind the client certificate.</param>
/// <param name="CallId">A unique ID of this call.</param>
public sealed record CallContext(Party Caller, string CallId)
{
    /// <summary>Refuses the call unless the caller is an administrator.</summary>
    public void RequireAdministrator()
    {
        if (Caller.Role != PartyRole.Administrator)
        {
            throw new ExchangeException(FailureKind.PermissionDenied, $"administrators only; '{Caller.Id}' is a {Caller.Role.ToWire()} (rule role.administrator-only)", "role.administrator-only");
        }
    }
}
