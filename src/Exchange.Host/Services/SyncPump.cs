using Exchange.Contracts.V1;
using Exchange.Domain;
using Exchange.Domain.Records;
using Exchange.Host.Calls;
using Exchange.Protocol.Server;
using Grpc.Core;

namespace Exchange.Host.Services;

/// <summary>
/// Moves one Sync call's changes into <see cref="SyncStream"/> groups: it takes what has arrived, up
/// to <see cref="RecordSync.MaxGroup"/> changes, commits the group as soon as the caller has sent
/// nothing more, and acknowledges it. It reads at most one change beyond the group it commits, so a
/// hub slower than its caller leaves the rest in the transport's flow-control windows.
/// </summary>
internal static class SyncPump
{
    public static async Task RunAsync(RecordSync sync, CallContext call, CallerStandingGuard standing, IAsyncStreamReader<SyncRequest> requests, IServerStreamWriter<SyncResponse> responses, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requests.MoveNext(cancellationToken).ConfigureAwait(false) || requests.Current.KindCase != SyncRequest.KindOneofCase.Open)
        {
            throw CustomerRecords.Malformed("the first request of a sync is its open");
        }

        var stream = await sync.OpenAsync(call, requests.Current.Open, cancellationToken).ConfigureAwait(false);
        if (!await responses.TryWriteAsync(new SyncResponse { Opened = stream.Opened }, context).ConfigureAwait(false))
        {
            return;
        }

        // One group commits at a time; while it does, the next gathers (at most about one group more), so
        // groups grow when commits are slow instead of each waiting for its predecessor alone.
        Task<bool>? committing = null;
        try
        {
            var reading = requests.MoveNext(cancellationToken);
            while (true)
            {
                // Nothing more has arrived yet: what has is committed now rather than kept waiting.
                if (committing is null && stream.Pending > 0 && !reading.IsCompleted)
                {
                    committing = CommitAsync(stream, standing, responses, context);
                }

                if (committing is not null && !reading.IsCompleted)
                {
                    await Task.WhenAny(reading, committing).ConfigureAwait(false);
                }

                if (committing is { IsCompleted: true })
                {
                    var written = await committing.ConfigureAwait(false);
                    committing = null;
                    if (!written)
                    {
                        return;
                    }

                    continue;
                }

                if (!await reading.ConfigureAwait(false))
                {
                    break;
                }

                try
                {
                    foreach (var change in ChangesOf(requests.Current))
                    {
                        stream.Add(change);
                    }
                }
                catch (ExchangeException)
                {
                    // The changes before the bad one are good: they are applied and acknowledged before the stream ends.
                    await SettleAsync(committing, stream, standing, responses, context).ConfigureAwait(false);
                    committing = null;
                    throw;
                }

                if (stream.Pending >= RecordSync.MaxGroup)
                {
                    var full = committing;
                    committing = null;
                    if (!await SettleAsync(full, stream, standing, responses, context).ConfigureAwait(false))
                    {
                        return;
                    }
                }

                reading = requests.MoveNext(cancellationToken);
            }

            var last = committing;
            committing = null;
            await SettleAsync(last, stream, standing, responses, context).ConfigureAwait(false);
        }
        finally
        {
            // A call ending by an error still lets the group it took finish with the scope it uses.
            if (committing is not null)
            {
                await committing.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private static IEnumerable<SyncChange> ChangesOf(SyncRequest request) => request.KindCase switch
    {
        SyncRequest.KindOneofCase.Change => [request.Change],
        SyncRequest.KindOneofCase.Changes when request.Changes.Changes.Count is > 0 and <= RecordSync.MaxGroup => request.Changes.Changes,
        SyncRequest.KindOneofCase.Changes => throw CustomerRecords.Malformed($"a message of changes holds 1 to {RecordSync.MaxGroup}, not {request.Changes.Changes.Count}"),
        _ => throw CustomerRecords.Malformed("every request of a sync after its open carries changes"),
    };

    // Waits for the commit in flight, then commits what is pending; false when the caller has gone.
    private static async Task<bool> SettleAsync(Task<bool>? committing, SyncStream stream, CallerStandingGuard standing, IServerStreamWriter<SyncResponse> responses, ServerCallContext context)
    {
        if (committing is not null && !await committing.ConfigureAwait(false))
        {
            return false;
        }

        return stream.Pending == 0 || await CommitAsync(stream, standing, responses, context).ConfigureAwait(false);
    }

    private static async Task<bool> CommitAsync(SyncStream stream, CallerStandingGuard standing, IServerStreamWriter<SyncResponse> responses, ServerCallContext context)
    {
        // A group, once taken, is committed even if the caller goes away meanwhile: it is bounded, and
        // the caller learns of it on resume; cancelling would only roll back work that was done.
        // A sync outlives the checks its call began with: a revocation or suspension since ends it before another group is applied.
        var acknowledged = await stream.CommitAsync(() => standing.RequireAsync(context), CancellationToken.None).ConfigureAwait(false);
        var ack = new SyncAck { ThroughSequence = acknowledged.ThroughSequence };
        ack.Results.AddRange(acknowledged.Results.Select(Result));
        return await responses.TryWriteAsync(new SyncResponse { Ack = ack }, context).ConfigureAwait(false);
    }

    private static SyncResult Result(AppliedChange change)
    {
        var status = change.Error is null ? Status.DefaultSuccess : ExchangeExceptionInterceptor.ToRpc(change.Error).Status;
        return new SyncResult
        {
            Sequence = change.Sequence,
            Outcome = change.Outcome,
            Code = (int)status.StatusCode,
            Message = status.Detail,
            Rule = change.Error?.Rule ?? "",
            SubjectId = change.SubjectId ?? "",
        };
    }
}
