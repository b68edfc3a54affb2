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

    /// <summary>Set to 1 to run this suite's PostgreSQL lane (<c>make test-postgres-storage</c>).</summary>
    public const string PostgresLaneVariable = "EXCHANGE_TEST_POSTGRES_STORAGE";

    private TemporaryStorage NewStorage()
    {
        // Off by default: the test process sometimes hangs after every test has passed (docs/storage.md,
        // cause not found yet); a hang would stop CI for its whole time limit.
        if (provider == DatabaseProvider.Postgres && Environment.GetEnvironmentVariable(PostgresLaneVariable) != "1")
        {
            Assert.Skip($"the storage suite's PostgreSQL lane runs with {PostgresLaneVariable}=1 (make test-postgres-storage): its test process sometimes hangs after all tests pass; the Host suites run PostgreSQL end to end");
        }

        return new(Name, provider);
    }
}
