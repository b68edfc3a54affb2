using System.Diagnostics.Metrics;
using Exchange.Domain.Declarations;
using Exchange.Storage.Sqlite;
using Exchange.Storage.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Infrastructure;

/// <summary>
/// The hub's storage, registered as the host registers it, on a SQLite file in a new temporary
/// folder or on a new PostgreSQL database, removed afterwards.
/// </summary>
internal sealed class TemporaryStorage : IDisposable
{
    private readonly PostgresTestDatabase? _postgres;
    private bool _writerStarted;

    public TemporaryStorage(string name, DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            PostgresTestDatabase.SkipUnlessAvailable();
            _postgres = new PostgresTestDatabase(name);
        }

        Provider = provider;
        Directory = Path.Combine(Path.GetTempPath(), $"exchange-{name}-" + Guid.NewGuid().ToString("N")[..12]);
        Services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new DeclarationSettings())
            .AddLogging()
            .AddSingleton<IMeterFactory, ScopedMeterFactory>()
            .AddExchangeStorage(_ => new StorageSettings(provider, Directory, _postgres?.ConnectionString))
            .BuildServiceProvider();
    }

    public DatabaseProvider Provider { get; }

    public string Directory { get; }

    public ServiceProvider Services { get; }

    public string DatabaseFile => Path.Combine(Directory, "exchange.db");

    /// <summary>Creates and migrates the database, as the hub does on start, and starts the provision log's writer.</summary>
    public TemporaryStorage Initialized()
    {
        // Off the test framework's threads, which blocking on truly asynchronous work (Npgsql) could starve.
        var cancellationToken = TestContext.Current.CancellationToken;
        Task.Run(async () =>
        {
            using (var scope = Services.CreateScope())
            {
                await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
            }

            await Services.GetRequiredService<ProvisionLogWriter>().StartAsync(cancellationToken);
        }).GetAwaiter().GetResult();
        _writerStarted = true;
        return this;
    }

    public void Dispose()
    {
        if (_writerStarted)
        {
            // Bounded: a writer stuck in a commit must not keep the test process from ending.
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            Task.Run(() => Services.GetRequiredService<ProvisionLogWriter>().StopAsync(stopping.Token)).GetAwaiter().GetResult();
        }

        Services.Dispose();

        // This file's pool only: clearing every pool closes other tests' connections mid-test, and the
        // last connection to a SQLite file to close checkpoints and removes its write-ahead log.
        if (Provider == DatabaseProvider.Sqlite)
        {
            using var connection = new SqliteConnection(SqliteExchangeDbContext.ConnectionString(DatabaseFile));
            SqliteConnection.ClearPool(connection);
        }

        _postgres?.Dispose();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    /// <summary>
    /// Meters scoped to this storage, as the host's metrics give them: tests running at the same time
    /// publish on the same meter names, and a listener tells this storage's by <see cref="Meter.Scope"/>.
    /// </summary>
    private sealed class ScopedMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
            lock (_meters)
            {
                _meters.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            lock (_meters)
            {
                _meters.ForEach(m => m.Dispose());
            }
        }
    }
}
