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
    /// <summary>Uses the SQLite file <c>exchange.db</c> in the folder <paramref name="dataDirectory"/> names (created on start).</summary>
    public static IServiceCollection AddExchangeSqliteStorage(this IServiceCollection services, Func<IServiceProvider, string> dataDirectory)
    {
        services.AddDbContext<ExchangeDbContext>((sp, o) =>
            o.UseSqlite($"Data Source={Path.Combine(Path.GetFullPath(dataDirectory(sp)), "exchange.db")};Pooling=True;Default Timeout=30"));
        return services.AddExchangeStores();
    }

    private static IServiceCollection AddExchangeStores(this IServiceCollection services)
    {
        services.AddSingleton<WriteGate>();
        services.AddScoped<IUnitOfWork, UnitOfWork>();
        services.AddScoped<IProvisionLogStore, ProvisionLogStore>();
        services.AddScoped<ICustomerStore, CustomerStore>();
        services.AddScoped<IPartyDirectory, PartyDirectory>();
        services.AddScoped<IVendorAuthorisations, VendorAuthorisationStore>();
        services.AddScoped<IDeclarationStore, DeclarationStore>();
        services.AddScoped<IGrantStore, GrantStore>();
        services.AddScoped<IPartyRegistryStore, PartyRegistryStore>();
        services.AddScoped<IAuthorisationRegistryStore, AuthorisationRegistryStore>();
        services.AddScoped<IHubAuditLog, HubAuditLogStore>();
        services.AddScoped<ICertificateStore, CertificateStore>();
        services.AddSingleton<ICallerStandingStore, CallerStandingStore>();
        services.AddScoped<DatabaseInitializer>();
        return services;
    }
}
