using Exchange.Domain.Staff;
using Microsoft.AspNetCore.Identity;

namespace Exchange.Storage.Entities;

/// <summary>
/// A staff member's sign-in account (ASP.NET Core Identity). Its <c>Id</c> is
/// the pseudonymous staff ID the hub's records carry (<see cref="StaffMember.Id"/>); the person's
/// name and sign-in name stay here and nowhere else.
/// </summary>
public sealed class StaffAccount : IdentityUser
{
    /// <summary>The party the person works for.</summary>
    public required string PartyId { get; set; }

    /// <summary>The person's name as their party gave it, shown in the console only.</summary>
    public required string DisplayName { get; set; }

    /// <summary>What they may do for their party.</summary>
    public StaffRole Role { get; set; }

    /// <summary>False once disabled; sessions and tokens stop at once.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The domain's view of this account.</summary>
    public StaffMember ToMember() => new(Id, PartyId, Role, Enabled);
}
