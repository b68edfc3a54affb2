namespace Exchange.Domain.Records;

/// <summary>Sync sessions; storage implements it. Writes join the current unit of work.</summary>
public interface ISyncSessionStore
{
    /// <summary>Stores a new session.</summary>
    Task CreateAsync(SyncSession session, CancellationToken cancellationToken);

    /// <summary>The session, or null.</summary>
    Task<SyncSession?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the session's acknowledged sequence from <paramref name="from"/> to <paramref name="to"/>
    /// in the current unit of work; false, changing nothing, when it is no longer at
    /// <paramref name="from"/> (another stream on the same sync moved it first).
    /// </summary>
    Task<bool> AdvanceAsync(string id, long from, long to, DateTimeOffset at, CancellationToken cancellationToken);
}
