using Exchange.Domain.Audit;
using Exchange.Domain.Certificates;
using Exchange.Domain.Declarations;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Exchange.Domain.Provisions;
using Exchange.Domain.Records;
using Exchange.Storage.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage;

/// <summary>Registers the storage behind the domain's interfaces.</summary>
public static class StorageServiceCollectionExtensions
{
    // How long a grant changed through another hub instance may go unseen here.
    private static readonly TimeSpan ReferenceDataMaxAge = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Uses the SQLite file <c>exchange.db</c> in the folder <paramref name="dataDirectory"/> names
    /// (created on start), with the provision log's journal beside it; <paramref name="foldDelay"/>
    /// is how long journalled entries may wait before they are folded into the database (20 ms when null).
    /// </summary>
    public static IServiceCollection AddExchangeSqliteStorage(this IServiceCollection services, Func<IServiceProvider, string> dataDirectory, Func<IServiceProvider, TimeSpan>? foldDelay = null)
    {
        services.AddDbContextPool<ExchangeDbContext>((sp, o) =>
            o.UseSqlite($"Data Source={Path.Combine(Path.GetFullPath(dataDirectory(sp)), "exchange.db")};Pooling=True;Default Timeout=30")
                .AddInterceptors(new SqliteConnectionSettings()));
        services.AddHostedService<SqliteWalCheckpointer>();
        services.AddSingleton(sp =>
        {
            var settings = new ProvisionJournalSettings(Path.GetFullPath(dataDirectory(sp)));
            return foldDelay is null ? settings : settings with { FoldDelay = foldDelay(sp) };
        });
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
        services.AddSingleton(sp => new SnapshotCache<IReadOnlyList<Grant>>(sp.GetRequiredService<TimeProvider>(), ReferenceDataMaxAge));
        // A version takes effect no sooner than the minimum notice after publication, so a cache that
        // is never older than that sees every version published elsewhere before it is in force.
        services.AddSingleton(sp => new SnapshotCache<IReadOnlyList<DeclarationRecord>>(
            sp.GetRequiredService<TimeProvider>(), TimeSpan.FromTicks(Math.Min(ReferenceDataMaxAge.Ticks, sp.GetRequiredService<DeclarationSettings>().MinimumNotice.Ticks))));
        services.AddScoped<IProvisionLogStore, ProvisionLogStore>();
        services.AddSingleton<GroupCommitProvisionRecorder>();
        services.AddSingleton<ProvisionSubjectIndexer>();
        services.AddHostedService(sp => sp.GetRequiredService<ProvisionSubjectIndexer>());
        services.AddSingleton<IProvisionRecorder>(sp => sp.GetRequiredService<GroupCommitProvisionRecorder>());
        services.AddScoped<ICustomerStore, CustomerStore>();
        services.AddScoped<IPartyDirectory, PartyDirectory>();
        services.AddScoped<IVendorAuthorisations, VendorAuthorisationStore>();
        services.AddScoped<IDeclarationStore, DeclarationStore>();
        services.AddScoped<IGrantStore, GrantStore>();
        services.AddScoped<IPartyRegistryStore, PartyRegistryStore>();
        services.AddScoped<IAuthorisationRegistryStore, AuthorisationRegistryStore>();
        services.AddScoped<IHubAuditLog, HubAuditLogStore>();
        services.AddScoped<ICertificateStore, CertificateStore>();
        services.AddSingleton<ConnectionLeases>();
        services.AddSingleton<ICallerStandingStore, CallerStandingStore>();
        services.AddScoped<DatabaseInitializer>();
        services.AddSingleton<DatabaseReady>();
        return services;
    }
}
