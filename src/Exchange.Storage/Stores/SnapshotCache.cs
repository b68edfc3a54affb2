namespace Exchange.Storage.Stores;

/// <summary>
/// Reference data read on every call but changed rarely (declaration versions, grants), kept for at
/// most <c>maxAge</c>. A change made through this hub instance invalidates it at once; a change made
/// through another instance sharing the database as soon as this instance has seen a newer
/// <see cref="ReferenceDataVersion"/>, which every call's standing check reads.
/// </summary>
internal sealed class SnapshotCache<T>(TimeProvider time, TimeSpan maxAge, ReferenceDataVersion version)
    where T : class
{
    private readonly Lock _lock = new();
    private (T Value, long LoadedAt, long Version)? _entry;
    private long _generation;

    /// <summary>The kept value while it is fresh, else the value <paramref name="load"/> reads now.</summary>
    public async Task<T> GetAsync(Func<CancellationToken, Task<T>> load, CancellationToken cancellationToken)
    {
        long generation;
        lock (_lock)
        {
            if (_entry is { } entry && entry.Version >= version.Seen && time.GetElapsedTime(entry.LoadedAt) < maxAge)
            {
                return entry.Value;
            }

            generation = _generation;
        }

        // Read before loading: the load sees at least every change up to this version.
        var seen = version.Seen;
        var loadedAt = time.GetTimestamp();
        var value = await load(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            // A change during the load may be missing from the value: it serves this call only.
            if (_generation == generation)
            {
                _entry = (value, loadedAt, seen);
            }
        }

        return value;
    }

    /// <summary>Forgets the kept value: the next call reads the database.</summary>
    public void Invalidate()
    {
        lock (_lock)
        {
            _generation++;
            _entry = null;
        }
    }
}
