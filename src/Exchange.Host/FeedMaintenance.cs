using Exchange.Domain.Feed;
using Exchange.Domain.Provisions;
using Exchange.Domain.Recalls;
using Exchange.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Exchange.Host;

/// <summary>
/// The change feed's upkeep on every instance, at start and then at each interval: events past
/// retention are disposed of (their horizon kept in the database, so every instance refuses the
/// same old positions), certificates nearing expiry get their warning events, and recall campaigns
/// whose start date has come get their notices stored.
/// </summary>
internal sealed class FeedMaintenance(IServiceScopeFactory scopes, IOptions<HubOptions> options, TimeProvider time, ILogger<FeedMaintenance> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var feed = options.Value.Feed;
        using var timer = new PeriodicTimer(feed.MaintenanceInterval, time);
        // A round once begun is finished, not cancelled: it is short, and a transaction cancelled by a
        // stopping hub is logged by EF as an error (seen in a test that stopped its hub at once).
        do
        {
            await PruneAsync(feed.RetentionDays, CancellationToken.None).ConfigureAwait(false);
            await CheckCertificatesAsync(CancellationToken.None).ConfigureAwait(false);
            await QueueRecallNoticesAsync(CancellationToken.None).ConfigureAwait(false);
        }
        while (!stoppingToken.IsCancellationRequested && await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task PruneAsync(int retentionDays, CancellationToken cancellationToken)
    {
        try
        {
            var before = time.GetUtcNow() - TimeSpan.FromDays(retentionDays);
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<IFeedStore>();
            var pruned = await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(ct => store.PruneAsync(before, ct), cancellationToken).ConfigureAwait(false);
            if (pruned > 0)
            {
                FeedLog.Pruned(logger, pruned, before, retentionDays);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            FeedLog.PruneFailed(logger, e);
        }
    }

    private async Task CheckCertificatesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<CertificateExpiryNotices>().CheckAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            FeedLog.CertificateCheckFailed(logger, e);
        }
    }

    private async Task QueueRecallNoticesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var queued = await scope.ServiceProvider.GetRequiredService<RecallCampaigns>().QueueDueNoticesAsync(cancellationToken).ConfigureAwait(false);
            if (queued > 0)
            {
                RecallLog.NoticesQueued(logger, queued);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RecallLog.QueueFailed(logger, e);
        }
    }
}
