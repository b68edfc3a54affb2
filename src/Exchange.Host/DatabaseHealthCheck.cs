using Exchange.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Exchange.Host;

/// <summary>grpc.health.v1 reports NOT_SERVING while the database cannot be reached.</summary>
internal sealed class DatabaseHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
        return await db.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("the database cannot be reached");
    }
}
