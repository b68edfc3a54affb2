using Exchange.Storage;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>
/// One hub for all the tests of a class (xunit runs a class's tests one after another), for tests
/// that need no hub of their own: each test reads only what its own calls left. On SQLite.
/// </summary>
public class SharedHub : IAsyncLifetime
{
    private readonly DatabaseProvider _provider;

    public SharedHub()
        : this(DatabaseProvider.Sqlite)
    {
    }

    protected SharedHub(DatabaseProvider provider) => _provider = provider;

    /// <summary>The hub; null when its provider is not set up here (the tests skip).</summary>
    public TestHub Hub { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (_provider == DatabaseProvider.Postgres && Storage.Tests.Infrastructure.PostgresTestDatabase.Server is null)
        {
            return;
        }

        Hub = await TestHub.StartAsync(provider: _provider);
    }

    public async ValueTask DisposeAsync()
    {
        if (Hub is not null)
        {
            await Hub.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>A <see cref="SharedHub"/> on its own database on the test PostgreSQL server.</summary>
public sealed class SharedPostgresHub() : SharedHub(DatabaseProvider.Postgres);
