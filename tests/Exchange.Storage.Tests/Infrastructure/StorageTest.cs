namespace Exchange.Storage.Tests.Infrastructure;

/// <summary>
/// A test class run on each provider (a derived class per provider): its storage is created on
/// first use, so that a test on PostgreSQL without a server set up is skipped, not failed.
/// </summary>
public abstract class StorageTest(DatabaseProvider provider) : IDisposable
{
    private TemporaryStorage? _storage;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected DatabaseProvider Provider => provider;

    /// <summary>A name for the storage's folder or database.</summary>
    protected virtual string Name => GetType().Name;

    /// <summary>The storage, migrated, with its provision-log writer started.</summary>
    internal TemporaryStorage Storage => _storage ??= NewStorage().Initialized();

    /// <summary>A storage not migrated yet.</summary>
    internal TemporaryStorage Uninitialized => _storage ??= NewStorage();

    public void Dispose()
    {
        _storage?.Dispose();
        GC.SuppressFinalize(this);
    }

    private TemporaryStorage NewStorage() => new(Name, provider);
}
