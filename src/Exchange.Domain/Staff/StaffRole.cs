namespace Exchange.Domain.Staff;

/// <summary>What a staff member may do for their party.</summary>
public enum StaffRole
{
    /// <summary>Works with the party's data: reads, writes and the party's own pages.</summary>
    Member,

    /// <summary>Also manages the party's staff accounts. Staff of the administrator party are the hub's operators.</summary>
    PartyAdministrator,
}
