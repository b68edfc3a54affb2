using Exchange.Contracts.V1;
using Exchange.Domain;
using Exchange.Domain.Records;
using Exchange.Host.Calls;
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
    public static async Task RunAsync(RecordSync sync, CallContext call, IAsyncStreamReader<SyncRequest> requests, IServerStreamWriter<SyncResponse> responses, ServerCallContext context)
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

        var reading = requests.MoveNext(cancellationToken);
        while (true)
        {
            // Nothing more has arrived yet: what has is committed now rather than kept waiting.
            if (!reading.IsCompleted && stream.Pending > 0 && !await CommitAsync(stream, responses, context).ConfigureAwait(false))
            {
                return;
            }

            if (!await reading.ConfigureAwait(false))
            {
                break;
            }

            try
            {
                stream.Add(requests.Current.KindCase == SyncRequest.KindOneofCase.Change
                    ? requests.Current.Change
                    : throw CustomerRecords.Malformed("every request of a sync after its open carries one change"));
            }
            catch (ExchangeException)
            {
                // The changes before the bad one are good: they are applied and acknowledged before the stream ends.
                if (stream.Pending > 0)
                {
                    await CommitAsync(stream, responses, context).ConfigureAwait(false);
                }

                throw;
            }

            if (stream.Pending >= RecordSync.MaxGroup && !await CommitAsync(stream, responses, context).ConfigureAwait(false))
            {
                return;
            }

            reading = requests.MoveNext(cancellationToken);
        }

        if (stream.Pending > 0)
        {
            await CommitAsync(stream, responses, context).ConfigureAwait(false);
        }
    }

    private static async Task<bool> CommitAsync(SyncStream stream, IServerStreamWriter<SyncResponse> responses, ServerCallContext context)
    {
        // A group, once taken, is committed even if the caller goes away meanwhile: it is bounded, and
        // the caller learns of it on resume; cancelling would only roll back work that was done.
        var acknowledged = await stream.CommitAsync(CancellationToken.None).ConfigureAwait(false);
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
