using Exchange.Storage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Exchange.Storage.Tests;

/// <summary>The <c>database</c> health check on a real database, on each provider.</summary>
public abstract class DatabaseHealthCheckTests(DatabaseProvider provider) : StorageTest(provider)
{
    [Fact]
    public async Task A_reachable_database_is_healthy()
    {
        var result = await Check().CheckHealthAsync(Context(), Ct);

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task A_probe_its_caller_cancelled_is_a_cancellation_not_an_unhealthy_database()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Check().CheckHealthAsync(Context(), cancelled.Token));
    }

    private DatabaseHealthCheck Check() => ActivatorUtilities.CreateInstance<DatabaseHealthCheck>(Storage.Services);

    private static HealthCheckContext Context() => new()
    {
        Registration = new HealthCheckRegistration("database", _ => null!, HealthStatus.Unhealthy, null),
    };
}

/// <summary>The check on a real SQLite file.</summary>
public sealed class DatabaseHealthCheckOnSqliteTests() : DatabaseHealthCheckTests(DatabaseProvider.Sqlite);

/// <summary>The check on a real PostgreSQL database.</summary>
public sealed class DatabaseHealthCheckOnPostgresTests() : DatabaseHealthCheckTests(DatabaseProvider.Postgres);
