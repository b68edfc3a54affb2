using Exchange.Domain.Feed;
using Exchange.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Exchange.Host;

/// <summary>
/// One cheap read of the stored head per interval for the whole instance, while anyone subscribes:
/// events another instance stored wake this instance's subscribers (<see cref="FeedHead.Observe"/>).
/// </summary>
internal sealed class FeedHeadWatcher(IServiceScopeFactory scopes, FeedHead head, IOptions<HubOptions> options, TimeProvider time, ILogger<FeedHeadWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Feed.HeadCheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (head.Subscribers == 0)
            {
                continue;
            }

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
