using Microsoft.EntityFrameworkCore;

namespace Exchange.Storage.Stores;

/// <summary>
/// How far this hub instance knows the reference data it caches (declaration versions, grants) to
/// have changed. Every change raises a counter in one row, in the transaction of the change; the
/// standing check that every call runs reads the counter in the same query
/// (<see cref="CallerStandingStore"/>), so a change made through any instance sharing the database
/// makes the caches here read again before the next call is decided (<see cref="SnapshotCache{T}"/>).
/// </summary>
internal sealed class ReferenceDataVersion
{
    /// <summary>The key of the counter's one row.</summary>
    public const int RowId = 1;

    private long _seen;

    /// <summary>The highest version the database has shown this instance.</summary>
    public long Seen => Volatile.Read(ref _seen);

    /// <summary>Notes a version read from the database; an older one changes nothing.</summary>
    public void Observe(long version)
    {
        var seen = Seen;
        while (version > seen)
        {
            var found = Interlocked.CompareExchange(ref _seen, version, seen);
            if (found == seen)
            {
                return;
            }

            seen = found;
        }
    }

    /// <summary>
    /// Raises the counter, in the current transaction when there is one. Call it after the change:
    /// an instance that reads the new version must find the change committed too.
    /// </summary>
    public static Task RaiseAsync(ExchangeDbContext db, CancellationToken cancellationToken) =>
        db.ReferenceDataVersion.Where(v => v.Id == RowId).ExecuteUpdateAsync(u => u.SetProperty(v => v.Version, v => v.Version + 1), cancellationToken);
}
