using Exchange.Domain.Feed;
using Exchange.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Exchange.Host;

/// <summary>
/// One cheap read of the stored head per interval for the whole instance, while anyone subscribes:
/// events another instance stored wake this instance's subscribers (<see cref="FeedHead.Observe"/>).
/// With nobody subscribed it waits for the first subscription, not the clock.
/// </summary>
internal sealed class FeedHeadWatcher(IServiceScopeFactory scopes, FeedHead head, IOptions<HubOptions> options, TimeProvider time, ILogger<FeedHeadWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Feed.HeadCheckInterval;
        while (true)
        {
            await head.WhenSubscribedAsync().WaitAsync(stoppingToken).ConfigureAwait(false);
            await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                head.Observe(await scope.ServiceProvider.GetRequiredService<IFeedStore>().HeadAsync(stoppingToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                FeedLog.HeadCheckFailed(logger, e);
            }
        }
    }
}
