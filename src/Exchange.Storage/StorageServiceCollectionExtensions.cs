using Exchange.Domain.Audit;
using Exchange.Domain.Certificates;
using Exchange.Domain.Declarations;
using Exchange.Domain.Feed;
using Exchange.Domain.Oversight;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Exchange.Domain.Provisions;
using Exchange.Domain.Recalls;
using Exchange.Domain.Subjects;
using Exchange.Domain.Records;
using Exchange.Storage.Postgres;
using Exchange.Storage.Sqlite;
using Exchange.Storage.Stores;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Exchange.Storage;

/// <summary>Registers the storage behind the domain's interfaces.</summary>
public static class StorageServiceCollectionExtensions
{
    // How long a grant changed through another hub instance may go unseen by work that runs no
    // standing check first; calls see it at once (ReferenceDataVersion).
    private static readonly TimeSpan ReferenceDataMaxAge = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Uses the database <paramref name="settings"/> names: the SQLite file <c>exchange.db</c> in its
    /// data folder (created on start), or a PostgreSQL server through one <see cref="NpgsqlDataSource"/>.
    /// </summary>
    public static IServiceCollection AddExchangeStorage(this IServiceCollection services, Func<IServiceProvider, StorageSettings> settings)
    {
        services.AddSingleton(settings);
        services.AddDbContextPool<SqliteExchangeDbContext>((sp, o) =>
            SqliteExchangeDbContext.Configure(o, Path.Combine(Path.GetFullPath(sp.GetRequiredService<StorageSettings>().DataDirectory), "exchange.db")));
        services.AddSingleton(sp => PostgresExchangeDbContext.CreateDataSource(sp.GetRequiredService<StorageSettings>().ConnectionString
            ?? throw new InvalidOperationException("Exchange:Database:ConnectionString must be set when Exchange:Database:Provider is Postgres.")));
        services.AddDbContextPool<PostgresExchangeDbContext>((sp, o) => PostgresExchangeDbContext.Configure(o, sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddScoped<ExchangeDbContext>(sp => sp.GetRequiredService<StorageSettings>().Provider == DatabaseProvider.Postgres
            ? sp.GetRequiredService<PostgresExchangeDbContext>()
            : sp.GetRequiredService<SqliteExchangeDbContext>());
        services.AddHostedService<SqliteWalCheckpointer>();
        services.AddSingleton<StartupLock>();
        return services.AddExchangeStores();
    }

    private static IServiceCollection AddExchangeStores(this IServiceCollection services)
    {
        // Leased from the pool when a store first uses it: most calls (reads) never do, and a lease
        // and its reset are a measurable share of a read.
        services.AddScoped(sp => new Lazy<ExchangeDbContext>(sp.GetRequiredService<ExchangeDbContext>));
        services.AddSingleton<WriteGate>();
        services.AddScoped<UnitOfWork>();
        services.AddScoped<IUnitOfWork>(sp => sp.GetRequiredService<UnitOfWork>());
        services.AddSingleton<ReferenceDataVersion>();
        services.AddSingleton(sp => new SnapshotCache<IReadOnlyList<Grant>>(sp.GetRequiredService<TimeProvider>(), ReferenceDataMaxAge, sp.GetRequiredService<ReferenceDataVersion>()));
        // A version takes effect no sooner than the minimum notice after publication, so a cache that
        // is never older than that sees every version published elsewhere before it is in force.
        services.AddSingleton(sp => new SnapshotCache<IReadOnlyList<DeclarationRecord>>(
            sp.GetRequiredService<TimeProvider>(), TimeSpan.FromTicks(Math.Min(ReferenceDataMaxAge.Ticks, sp.GetRequiredService<DeclarationSettings>().MinimumNotice.Ticks)), sp.GetRequiredService<ReferenceDataVersion>()));
        services.AddSingleton<ProvisionTerms>();
        services.AddScoped<IProvisionLogStore, ProvisionLogStore>();
        services.AddScoped<IProvisionTreeStore, ProvisionTreeStore>();
        services.AddSingleton<ProvisionLogWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ProvisionLogWriter>());
        services.AddSingleton<IProvisionRecorder>(sp => sp.GetRequiredService<ProvisionLogWriter>());
        services.AddSingleton<ProvisionSubjectIndexer>();
        services.AddHostedService(sp => sp.GetRequiredService<ProvisionSubjectIndexer>());
        services.AddScoped<ICustomerStore, CustomerStore>();
        services.AddSingleton<FeedHead>();
        services.AddScoped<IFeedStore, FeedStore>();
        services.AddScoped<ISyncSessionStore, SyncSessionStore>();
        services.AddScoped<IRecallStore, RecallStore>();
        services.AddScoped<IOversightStore, OversightStore>();
        services.AddScoped<ISubjectRequestStore, SubjectRequestStore>();
        services.AddScoped<IPartyDirectory, PartyDirectory>();
        services.AddScoped<IVendorAuthorisations, VendorAuthorisationStore>();
        services.AddScoped<IDeclarationStore, DeclarationStore>();
        services.AddScoped<IGrantStore, GrantStore>();
        services.AddScoped<IPartyRegistryStore, PartyRegistryStore>();
        services.AddScoped<IAuthorisationRegistryStore, AuthorisationRegistryStore>();
        services.AddScoped<IHubAuditLog, HubAuditLogStore>();
        services.AddScoped<Domain.Staff.IStaffDirectory, StaffDirectoryStore>();
        services.AddScoped<ICertificateStore, CertificateStore>();
        services.AddSingleton<ConnectionLeases>();
        services.AddSingleton<ICallerStandingStore, CallerStandingStore>();
        services.AddScoped<DatabaseInitializer>();
        services.AddScoped<IStorageInitializer>(sp => sp.GetRequiredService<DatabaseInitializer>());
        services.AddSingleton<DatabaseReady>();
        return services;
    }
}
