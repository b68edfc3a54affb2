using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Exchange.Storage;

/// <summary>
/// Unhealthy while the database cannot be reached. EF Core's own check (<c>AddDbContextCheck</c>) does
/// the same but reports a probe its caller cancelled (a health call whose client went away, the hub
/// stopping) as Unhealthy, which the health service logs as an error; here a cancelled probe stays a
/// cancellation.
/// </summary>
internal sealed class DatabaseHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var reached = await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Database.CanConnectAsync(cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                return reached ? HealthCheckResult.Healthy() : new HealthCheckResult(context.Registration.FailureStatus, "the database cannot be reached");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "the database cannot be reached", e);
        }
    }
}
