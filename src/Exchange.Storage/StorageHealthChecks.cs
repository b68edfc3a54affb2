using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage;

/// <summary>The storage's own health checks, for the host to add to its health service.</summary>
public static class StorageHealthChecks
{
    /// <summary>
    /// Adds <c>database</c> (Unhealthy while the database cannot be reached) and
    /// <c>provision-log</c> (Unhealthy while the log's writer cannot commit, Degraded while the lookup
    /// by person cannot be filled).
    /// </summary>
    public static IHealthChecksBuilder AddExchangeStorageChecks(this IHealthChecksBuilder checks) =>
        checks.AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<ProvisionLogHealthCheck>("provision-log");
}
