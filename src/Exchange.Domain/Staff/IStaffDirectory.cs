namespace Exchange.Domain.Staff;

/// <summary>Reads staff members as the hub's records need them (storage implements it over the staff accounts).</summary>
public interface IStaffDirectory
{
    /// <summary>The staff member with <paramref name="staffId"/>, or null.</summary>
    Task<StaffMember?> FindAsync(string staffId, CancellationToken cancellationToken);
}
