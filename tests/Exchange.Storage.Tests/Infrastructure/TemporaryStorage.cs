using System.Diagnostics.Metrics;
using Exchange.Domain.Declarations;
using Exchange.Storage.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Infrastructure;

/// <summary>The hub's storage, registered as the host registers it, on a SQLite file in a new temporary folder removed afterwards.</summary>
internal sealed class TemporaryStorage : IDisposable
{
    public TemporaryStorage(string name, Func<ProvisionJournalSettings, ProvisionJournalSettings>? journal = null)
        : this(new DirectoryInfo(Path.Combine(Path.GetTempPath(), $"exchange-{name}-" + Guid.NewGuid().ToString("N")[..12])), journal)
    {
    }

    private TemporaryStorage(DirectoryInfo directory, Func<ProvisionJournalSettings, ProvisionJournalSettings>? journal)
    {
        Directory = directory.FullName;
        var services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new DeclarationSettings())
            .AddLogging()
            .AddSingleton<IMeterFactory, ScopedMeterFactory>()
            .AddExchangeSqliteStorage(_ => Directory);
        if (journal is not null)
        {
            services.AddSingleton(journal(new ProvisionJournalSettings(Directory)));
        }

        Services = services.BuildServiceProvider();
    }

    private bool _restarted;

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

    /// <summary>
    /// Stops this storage as the hub stops and returns a new one on the same folder, as a hub
    /// started there next; the folder is removed when the new one is disposed.
    /// </summary>
    public TemporaryStorage Restarted(Func<ProvisionJournalSettings, ProvisionJournalSettings>? journal = null)
    {
        Services.Dispose();
        SqliteConnection.ClearAllPools();
        _restarted = true;
        return new TemporaryStorage(new DirectoryInfo(Directory), journal);
    }

    public void Dispose()
    {
        Services.Dispose();
        if (_restarted)
        {
            return;
        }

        SqliteConnection.ClearAllPools();
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
