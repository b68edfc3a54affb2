namespace Exchange.Domain.Provisions;

/// <summary>The hub's provision-log signing key.</summary>
public interface ILogSigner
{
    /// <summary>Signs <paramref name="payload"/>.</summary>
    byte[] Sign(byte[] payload);

    /// <summary>Checks a signature made by <see cref="Sign"/>.</summary>
    bool Verify(byte[] payload, byte[] signature);
}

/// <summary>The provision log's storage. Appends join the current unit of work.</summary>
public interface IProvisionLogStore
{
    /// <summary>Links and adds facts after the chain's head, inside the current unit of work.</summary>
    Task<IReadOnlyList<ChainedProvision>> AppendAsync(IReadOnlyList<ProvisionFact> facts, CancellationToken cancellationToken);

    /// <summary>The chain in order.</summary>
    IAsyncEnumerable<ChainedProvision> ReadAllAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The entries from <paramref name="first"/> through <paramref name="last"/> in order, read in
    /// pages of short statements, so that a walk of the whole log holds no snapshot open meanwhile.
    /// </summary>
    IAsyncEnumerable<ChainedProvision> ReadRangeAsync(long first, long last, CancellationToken cancellationToken);

    /// <summary>The entries about one person, in order.</summary>
    Task<IReadOnlyList<ChainedProvision>> ListForSubjectAsync(string subjectId, CancellationToken cancellationToken);

    /// <summary>
    /// The first entry that <see cref="ListForSubjectAsync"/> would leave out, show twice or list for
    /// another person, judged against the chain as stored; null when the lookup agrees with it.
    /// </summary>
    /// <param name="after">Only entries after this one are judged.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<long?> FirstMisindexedAsync(long after, CancellationToken cancellationToken);

    /// <summary>The chain's last entry, or null when empty.</summary>
    Task<ChainedProvision?> HeadAsync(CancellationToken cancellationToken);

    /// <summary>Every checkpoint.</summary>
    Task<IReadOnlyList<ProvisionCheckpoint>> ListCheckpointsAsync(CancellationToken cancellationToken);

    /// <summary>The checkpoints over entry <paramref name="sequence"/> and later ones.</summary>
    Task<IReadOnlyList<ProvisionCheckpoint>> ListCheckpointsFromAsync(long sequence, CancellationToken cancellationToken);

    /// <summary>The newest checkpoint a verification found the chain intact through, or null.</summary>
    Task<VerifiedCheckpoint?> LastVerifiedAsync(CancellationToken cancellationToken);

    /// <summary>Records that a verification found the chain intact through a checkpoint.</summary>
    Task AddVerifiedAsync(VerifiedCheckpoint verified, CancellationToken cancellationToken);

    /// <summary>Adds a checkpoint.</summary>
    Task AddCheckpointAsync(ProvisionCheckpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>What the hub's other records say the chain must hold.</summary>
    Task<LogCoverage> CoverageAsync(CancellationToken cancellationToken);

    /// <summary>Through which entry retention has reduced the log (0: none): those entries name no person any more.</summary>
    Task<long> ReducedThroughAsync(CancellationToken cancellationToken);

    /// <summary>The last entry made before <paramref name="time"/> (0: none), found along the sequence, which time follows.</summary>
    Task<long> LastBeforeAsync(DateTimeOffset time, CancellationToken cancellationToken);

    /// <summary>
    /// Erases the subject ID of every entry after the last reduction through <paramref name="sequence"/>,
    /// and its lookup by person, in short transactions of their own, moving the reduction's mark
    /// with each; with <paramref name="dryRun"/> only counts them. Returns the entries that named a person.
    /// </summary>
    Task<long> ReduceThroughAsync(long sequence, bool dryRun, CancellationToken cancellationToken);
}

/// <summary>Runs work in one storage transaction: all of it is stored, or none.</summary>
public interface IUnitOfWork
{
    /// <summary>Runs <paramref name="work"/> and commits; rolls back if it throws.</summary>
    Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken);
}
