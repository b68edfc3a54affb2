using Exchange.Domain.Staff;
using Microsoft.EntityFrameworkCore;

namespace Exchange.Storage.Stores;

/// <summary>Staff members as the hub's records need them, read from the staff accounts on every call (no cache: disabling a person takes effect at once).</summary>
internal sealed class StaffDirectoryStore(Lazy<ExchangeDbContext> context) : IStaffDirectory
{
    public async Task<StaffMember?> FindAsync(string staffId, CancellationToken cancellationToken) =>
        (await context.Value.Users.AsNoTracking().FirstOrDefaultAsync(a => a.Id == staffId, cancellationToken).ConfigureAwait(false))?.ToMember();
}
