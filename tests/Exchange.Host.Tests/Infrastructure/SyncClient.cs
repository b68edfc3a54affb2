using Exchange.Contracts.V1;
using Grpc.Core;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>One Records/Sync call as a vendor's system drives it: open (or resume), send numbered changes, read acknowledgements.</summary>
public sealed class SyncClient : IDisposable
{
    private readonly AsyncDuplexStreamingCall<SyncRequest, SyncResponse> _call;

    private SyncClient(AsyncDuplexStreamingCall<SyncRequest, SyncResponse> call, SyncOpened opened)
    {
        _call = call;
        Opened = opened;
    }

    public SyncOpened Opened { get; }

    /// <summary>Opens a new sync (<paramref name="syncId"/> empty) or resumes one, and reads the hub's answer.</summary>
    public static async Task<SyncClient> OpenAsync(Records.RecordsClient client, string syncId = "", string purpose = "after-sales", CancellationToken cancellationToken = default)
    {
        var call = client.Sync(cancellationToken: cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(new SyncRequest { Open = new SyncOpen { SyncId = syncId, Purpose = purpose } }, cancellationToken);
            if (!await call.ResponseStream.MoveNext(cancellationToken) || call.ResponseStream.Current.KindCase != SyncResponse.KindOneofCase.Opened)
            {
                throw new InvalidOperationException("the hub did not answer the open with SyncOpened");
            }

            return new SyncClient(call, call.ResponseStream.Current.Opened);
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    public Task UpsertAsync(long sequence, CustomerRecord record) =>
        _call.RequestStream.WriteAsync(new SyncRequest { Change = new SyncChange { Sequence = sequence, Upsert = record } });

    public Task DeleteAsync(long sequence, string ownerParty, string customerRef) =>
        _call.RequestStream.WriteAsync(new SyncRequest { Change = new SyncChange { Sequence = sequence, Delete = new CustomerKey { OwnerParty = ownerParty, CustomerRef = customerRef } } });

    public Task SendAsync(SyncChange change) => _call.RequestStream.WriteAsync(new SyncRequest { Change = change });

    /// <summary>Sends several changes in one message.</summary>
    public Task SendAsync(IEnumerable<SyncChange> changes) => _call.RequestStream.WriteAsync(new SyncRequest { Changes = new SyncChanges { Changes = { changes } } });

    public Task CompleteAsync() => _call.RequestStream.CompleteAsync();

    /// <summary>The next acknowledgement, or null when the hub ended the stream (an error ending it is thrown).</summary>
    public async Task<SyncAck?> NextAckAsync(CancellationToken cancellationToken = default) =>
        await _call.ResponseStream.MoveNext(cancellationToken) ? _call.ResponseStream.Current.Ack : null;

    /// <summary>Reads acknowledgements until <paramref name="through"/> is acknowledged; returns their results.</summary>
    public async Task<List<SyncResult>> AcksThroughAsync(long through, CancellationToken cancellationToken = default)
    {
        var results = new List<SyncResult>();
        while (await NextAckAsync(cancellationToken) is { } ack)
        {
            results.AddRange(ack.Results);
            if (ack.ThroughSequence >= through)
            {
                break;
            }
        }

        return results;
    }

    /// <summary>Reads acknowledgements until the hub ends the stream; returns their results.</summary>
    public async Task<List<SyncResult>> AllAcksAsync(CancellationToken cancellationToken = default)
    {
        var results = new List<SyncResult>();
        while (await NextAckAsync(cancellationToken) is { } ack)
        {
            results.AddRange(ack.Results);
        }

        return results;
    }

    public void Dispose() => _call.Dispose();
}
