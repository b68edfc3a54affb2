using Exchange.Protocol.Server;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Exchange.Host;

/// <summary>
/// Reports the hub saturated, with the registration's failure status, while partners can get no
/// call slot or a call was refused at the total limit in the last few seconds
/// (<see cref="CallConcurrencyLimit.IsSaturated"/>). Registered twice (see <see cref="HubHealth"/>):
/// as Degraded in the hub's overall health, which a busy hub must not fail, and as Unhealthy in the
/// readiness service a load balancer watches.
/// </summary>
internal sealed class CallLoadHealthCheck(CallConcurrencyLimit limit) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limits = limit.Limits;
        var inFlight = limit.InFlight;
        var data = new Dictionary<string, object>
        {
            ["in_flight"] = inFlight,
            ["max_concurrent_calls"] = limits.MaxConcurrentCalls,
            ["administrator_reserved_calls"] = limits.ReservedCalls,
        };
        return Task.FromResult(limit.IsSaturated
            ? new HealthCheckResult(context.Registration.FailureStatus, $"saturated: {inFlight} of {limits.MaxConcurrentCalls} calls running ({limits.ReservedCalls} reserved for administrators), or calls refused for load in the last {CallConcurrencyLimit.SaturationMemory.TotalSeconds:F0} s", data: data)
            : HealthCheckResult.Healthy(data: data));
    }
}
