using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Exchange.Host.Telemetry;

/// <summary>Hands each periodic health report to <see cref="HubMetrics"/> (the gauge exchange.health.status).</summary>
internal sealed class HealthMetricsPublisher(HubMetrics metrics) : IHealthCheckPublisher
{
    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        metrics.HealthReported(report);
        return Task.CompletedTask;
    }
}
