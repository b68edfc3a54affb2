using Microsoft.AspNetCore.DataProtection;

namespace Exchange.Storage;

/// <summary>Wires ASP.NET Core Data Protection's own EF Core key repository to the hub's database.</summary>
public static class DataProtectionStoreExtensions
{
    /// <summary>
    /// Keeps the key ring in the hub's database (table <c>data_protection_keys</c>), on whichever provider it
    /// uses, so that every hub instance on that database reads what another protected: session and
    /// antiforgery cookies among them. The keys are stored as Data Protection writes them, without an
    /// encryptor, like the hub's other keys.
    /// </summary>
    public static IDataProtectionBuilder PersistKeysToExchangeDatabase(this IDataProtectionBuilder builder) =>
        // ExchangeDbContext resolves, per scope, to the provider's own context type.
        builder.PersistKeysToDbContext<ExchangeDbContext>();
}
