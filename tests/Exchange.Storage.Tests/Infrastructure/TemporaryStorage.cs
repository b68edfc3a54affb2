using Exchange.Domain.Declarations;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Infrastructure;

/// <summary>The hub's storage, registered as the host registers it, on a SQLite file in a new temporary folder removed afterwards.</summary>
internal sealed class TemporaryStorage : IDisposable
{
    public TemporaryStorage(string name)
    {
        Directory = Path.Combine(Path.GetTempPath(), $"exchange-{name}-" + Guid.NewGuid().ToString("N")[..12]);
        Services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new DeclarationSettings())
            .AddLogging()
            .AddExchangeSqliteStorage(_ => Directory)
            .BuildServiceProvider();
    }

    public string Directory { get; }

    public ServiceProvider Services { get; }

    public string DatabaseFile => Path.Combine(Directory, "exchange.db");

    /// <summary>Creates and migrates the database, as the hub does on start.</summary>
    public TemporaryStorage Initialized()
    {
        using var scope = Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        return this;
    }

    public void Dispose()
    {
        Services.Dispose();
        SqliteConnection.ClearAllPools();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
