using Exchange.Domain.Declarations;
using Exchange.Domain.Feed;
using Exchange.Domain.Provisions;
using Exchange.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Exchange.Host.Telemetry;

/// <summary>
/// Reads the figures a scrape must not wait for (the chain's length, the latest signed checkpoint,
/// certificates expiring, the declared purposes) every <see cref="TelemetryOptions.SampleInterval"/>,
/// for <see cref="HubMetrics"/>'s gauges. A failed read leaves the last figures and is tried again.
/// </summary>
internal sealed class HubSampler(IServiceScopeFactory scopes, HubMetrics metrics, IOptions<TelemetryOptions> options, TimeProvider time, ILogger<HubSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SampleInterval, time);
        do
        {
            try
            {
                await SampleAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                TelemetryLog.SampleFailed(logger, e.GetType().Name, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>Reads the figures once.</summary>
    internal async Task SampleAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var head = await services.GetRequiredService<IProvisionLogStore>().HeadAsync(cancellationToken).ConfigureAwait(false);
        var checkpoint = await services.GetRequiredService<IProvisionTreeStore>().LatestCheckpointAsync(cancellationToken).ConfigureAwait(false);
        var expiring = await services.GetRequiredService<CertificateExpiryNotices>().CountAsync(cancellationToken).ConfigureAwait(false);
        var declarations = await services.GetRequiredService<DeclarationRegistry>().ListAsync(cancellationToken).ConfigureAwait(false);
        metrics.Sampled(new HubSample(
            head?.Sequence ?? 0,
            checkpoint?.Size ?? 0,
            checkpoint?.SignedAt,
            expiring,
            declarations.SelectMany(d => d.PurposeIds).ToHashSet(StringComparer.Ordinal)));
    }
}
