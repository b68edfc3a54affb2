using Exchange.Storage.Stores;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Exchange.Host;

/// <summary>
/// grpc.health.v1 reports NOT_SERVING while provision-log entries cannot be folded from the journal
/// into the database: they are safe on disk, but the log cannot be read, so no person's record or
/// verification can be answered. A failed journal only degrades the hub (entries go to the database
/// directly, more slowly), as does failing to index the log by person (a person's entries since are
/// found by scanning, more slowly the longer it lasts).
/// </summary>
internal sealed class ProvisionLogHealthCheck(GroupCommitProvisionRecorder recorder, ProvisionSubjectIndexer indexer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = recorder.State;
        var data = new Dictionary<string, object> { ["unfolded"] = state.Unfolded };
        return Task.FromResult(
            state.FoldFailingFor is { } failing ? HealthCheckResult.Unhealthy($"folding {state.Unfolded} journalled provision-log entries into the database has failed for {failing.TotalSeconds:F1} s", data: data)
            : state.JournalFailed ? HealthCheckResult.Degraded("the provision-log journal failed; entries are committed to the database directly", data: data)
            : indexer.FailingFor is { } indexing ? HealthCheckResult.Degraded($"indexing the provision log by person has failed for {indexing.TotalSeconds:F1} s; a person's entries since are found by scanning", data: data)
            : HealthCheckResult.Healthy(data: data));
    }
}
