using Exchange.Storage.Stores;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Exchange.Storage;

/// <summary>
/// grpc.health.v1 reports NOT_SERVING while the provision log's writer cannot commit: reads and
/// refusals then fail (nothing is answered unrecorded). Failing to index the log by person only
/// degrades the hub: a person's entries since are found by scanning, more slowly the longer it lasts.
/// </summary>
internal sealed class ProvisionLogHealthCheck(ProvisionLogWriter writer, ProvisionSubjectIndexer indexer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            writer.FailingFor is { } failing ? HealthCheckResult.Unhealthy($"committing provision-log entries has failed for {failing.TotalSeconds:F1} s; reads and refusals fail meanwhile")
            : indexer.FailingFor is { } indexing ? HealthCheckResult.Degraded($"indexing the provision log by person has failed for {indexing.TotalSeconds:F1} s; a person's entries since are found by scanning")
            : HealthCheckResult.Healthy());
}
