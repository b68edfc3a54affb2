using Exchange.Contracts.V1;
using Exchange.Domain.Feed;
using Exchange.Host.Calls;
using Grpc.Core;

namespace Exchange.Host.Services;

/// <summary>
/// gRPC face of <see cref="ChangeFeed"/>. Each page is read in a scope of its own, so that an idle
/// subscription holds no database context, only its wait on <see cref="FeedHead"/>.
/// </summary>
internal sealed class FeedService(ChangeFeed feed, CallContextFactory calls, FeedHead head, IServiceScopeFactory scopes) : Feed.FeedBase
{
    public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<FeedEvent> responseStream, ServerCallContext context)
    {
        var call = await calls.CreateAsync(context).ConfigureAwait(false);
        var cancellationToken = context.CancellationToken;
        var after = await feed.StartAsync(call, request, cancellationToken).ConfigureAwait(false);
        using var subscription = head.Subscribe();
        while (!cancellationToken.IsCancellationRequested)
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
            }

            if (page.Through == after && !await WaitAsync(stored, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            after = page.Through;
        }
    }

    // False when the caller went away while waiting: the call ends as the caller chose, no error.
    private static async Task<bool> WaitAsync(Task stored, CancellationToken cancellationToken)
    {
        try
        {
            await stored.WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
