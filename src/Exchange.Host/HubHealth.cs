using Exchange.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Exchange.Host;

/// <summary>
/// The hub's health checks and the grpc.health.v1 services that report them. grpc.health.v1 knows
/// only SERVING and NOT_SERVING, and reports a Degraded check as SERVING; so a saturated hub is
/// reported two ways: Degraded in the overall service <c>""</c> (what liveness probes ask: busy is
/// not dead, and restarting a saturated hub would drop every call it runs), and NOT_SERVING in
/// <see cref="ReadinessService"/>, which a load balancer asks before sending it more calls.
/// </summary>
internal static class HubHealth
{
    /// <summary>NOT_SERVING while any check fails or the hub is saturated.</summary>
    public const string ReadinessService = "exchange.readiness";

    private const string Load = "load";
    /// <summary>Tag of the checks only <see cref="ReadinessService"/> reports.</summary>
    public const string ReadinessOnlyTag = "readiness-only";

    /// <summary>Whether readiness reports the check: all but the Degraded load check, which readiness has its own, failing, copy of.</summary>
    public static bool IsReadinessCheck(HealthCheckRegistration check) => check.Name != Load;

    public static IServiceCollection AddHubHealthChecks(this IServiceCollection services)
    {
        services.AddGrpcHealthChecks(grpc =>
            {
                grpc.Services.Map(string.Empty, check => !check.Tags.Contains(ReadinessOnlyTag));
                grpc.Services.Map(ReadinessService, check => check.Name != Load);
            })
            .AddExchangeStorageChecks()
            .AddCheck<CallLoadHealthCheck>(Load, HealthStatus.Degraded)
            .AddCheck<CallLoadHealthCheck>(Load + "-readiness", HealthStatus.Unhealthy, [ReadinessOnlyTag]);
        return services;
    }
}
