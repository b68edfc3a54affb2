using Exchange.Contracts.V1;
using Exchange.Domain.Feed;
using Exchange.Host.Calls;
using Exchange.Host.Telemetry;
using Exchange.Protocol.Server;
using Grpc.Core;

namespace Exchange.Host.Services;

/// <summary>
/// gRPC face of <see cref="ChangeFeed"/>. Each page is read in a scope of its own, so that an idle
/// subscription holds no database context, only its wait on <see cref="FeedHead"/>.
/// </summary>
internal sealed class FeedService(ChangeFeed feed, CallContextFactory calls, FeedHead head, IServiceScopeFactory scopes, CallerStandingGuard standing, IHostApplicationLifetime lifetime, HubMetrics metrics) : Feed.FeedBase
{
    public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<FeedEvent> responseStream, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var after = await feed.StartAsync(call, request, context.CancellationToken).ConfigureAwait(false);
        using var subscription = head.Subscribe();
        using var subscriber = metrics.SubscriberOpened();
        // Sent at once, not with the first event: a subscriber starting from_latest learns where it
        // stands, so that a drop before any event arrives can be resumed from there without a gap.
        await context.WriteResponseHeadersAsync(new Metadata { { FeedPosition.Header, FeedPosition.Format(after) } }).ConfigureAwait(false);
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var cancellationToken = ending.Token;
        try
        {
            while (true)
            {
                // Taken before reading: an event committed after the read completes this wait.
                var stored = head.Next(call.Caller.Id);
                FeedPage page;
                var scope = scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    page = await scope.ServiceProvider.GetRequiredService<ChangeFeed>().PageAsync(call, after, cancellationToken).ConfigureAwait(false);
                }

                foreach (var message in page.Events)
                {
                    if (!await responseStream.TryWriteAsync(message, context).ConfigureAwait(false))
                    {
                        return;
                    }

                    metrics.FeedSent(message.OccurredAt);
                }

                if (page.Through == after)
                {
                    await stored.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                after = page.Through;

                // A subscription outlives the checks its call began with: a revocation or suspension since ends it before more is delivered.
                await standing.RequireAsync(context).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The caller went away: the call ends as it chose.
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"the hub is stopping; subscribe again with after_sequence {after} (the last event sent), here after the restart or at another instance"));
        }
    }
}
