using Exchange.Contracts.V1;
using Exchange.Host.Calls;
using Exchange.Protocol.Server;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Exchange.Host.Services;

/// <summary>Connection and identity checks for partners' systems; touches no personal data.</summary>
internal sealed class DiagnosticsService(TimeProvider time) : Diagnostics.DiagnosticsBase
{
    // Interop convention (as in gRPC's own interop suite): these request headers come back as a
    // response header and a trailer, so partners can test metadata handling both ways.
    private const string EchoInitialHeader = "x-grpc-test-echo-initial";
    private const string EchoTrailingHeader = "x-grpc-test-echo-trailing-bin";
    private const int MaxStreamCount = 100_000;

    public override async Task<PingReply> Ping(PingRequest request, ServerCallContext context)
    {
        await EchoMetadataAsync(context).ConfigureAwait(false);
        ThrowIfRequested(request.EchoStatus);
        return Reply(context, request.Payload, 1);
    }

    public override async Task PingStream(PingStreamRequest request, IServerStreamWriter<PingReply> responseStream, ServerCallContext context)
    {
        if (request.Count is < 0 or > MaxStreamCount)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"count must be between 0 and {MaxStreamCount}."));
        }

        if (request.IntervalMs is < 0 or > 60_000)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "interval_ms must be between 0 and 60000."));
        }

        await EchoMetadataAsync(context).ConfigureAwait(false);
        for (var i = 1; i <= request.Count; i++)
        {
            if (i > 1 && request.IntervalMs > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(request.IntervalMs), time, context.CancellationToken).ConfigureAwait(false);
            }

            if (!await responseStream.TryWriteAsync(Reply(context, request.Payload, i), context).ConfigureAwait(false))
            {
                return;
            }
        }

        ThrowIfRequested(request.EchoStatus);
    }

    public override async Task<PingSummary> PingUpload(IAsyncStreamReader<PingRequest> requestStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context).ConfigureAwait(false);
        long messages = 0, bytes = 0;
        try
        {
            await foreach (var ping in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                ThrowIfRequested(ping.EchoStatus);
                messages++;
                bytes += ping.Payload.Length;
            }
        }
        catch (Exception e) when (ResponseStreams.CallerWentAway(e, context))
        {
        }

        return new PingSummary { Caller = context.GetCaller().Id.ToString(), Messages = messages, PayloadBytes = bytes };
    }

    public override async Task PingEcho(IAsyncStreamReader<PingRequest> requestStream, IServerStreamWriter<PingReply> responseStream, ServerCallContext context)
    {
        await EchoMetadataAsync(context).ConfigureAwait(false);
        long sequence = 0;
        try
        {
            await foreach (var ping in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                ThrowIfRequested(ping.EchoStatus);
                if (!await responseStream.TryWriteAsync(Reply(context, ping.Payload, ++sequence), context).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (ResponseStreams.CallerWentAway(e, context))
        {
        }
    }

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var initial = context.RequestHeaders.Get(EchoInitialHeader);
        if (initial is not null)
        {
            await context.WriteResponseHeadersAsync([new Metadata.Entry(EchoInitialHeader, initial.Value)]).ConfigureAwait(false);
        }

        var trailing = context.RequestHeaders.Get(EchoTrailingHeader);
        if (trailing is not null)
        {
            context.ResponseTrailers.Add(EchoTrailingHeader, trailing.ValueBytes);
        }
    }

    private static void ThrowIfRequested(EchoStatus? status)
    {
        if (status is null || status.Code == 0)
        {
            return;
        }

        if (status.Code is < 1 or > 16)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"echo_status.code {status.Code} is not a gRPC status code (1-16)."));
        }

        throw new RpcException(new Status((StatusCode)status.Code, status.Message));
    }

    private PingReply Reply(ServerCallContext context, Google.Protobuf.ByteString payload, long sequence)
    {
        var caller = context.GetCaller();
        return new PingReply
        {
            Caller = caller.Id.ToString(),
            PartyId = caller.PartyId,
            Payload = payload,
            ServerTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            Sequence = sequence,
            HubVersion = HubApplication.Version,
        };
    }
}
