using Exchange.Domain;
using Exchange.Storage;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Exchange.Host.Calls;

/// <summary>
/// Maps domain refusals, and failures the storage reports about itself (a full disk), to precise
/// gRPC statuses, so services stay thin.
/// </summary>
internal sealed class ExchangeExceptionInterceptor(CallRefusals refusals) : Interceptor
{
    // No caller's text is echoed unbounded: messages quote at most a few identifiers.
    private const int MaxMessage = 1024;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    internal static RpcException ToRpc(ExchangeException e)
    {
        var code = e.Kind switch
        {
            FailureKind.InvalidArgument => StatusCode.InvalidArgument,
            FailureKind.PermissionDenied => StatusCode.PermissionDenied,
            FailureKind.NotFound => StatusCode.NotFound,
            FailureKind.FailedPrecondition => StatusCode.FailedPrecondition,
            FailureKind.AlreadyExists => StatusCode.AlreadyExists,
            FailureKind.Unavailable => StatusCode.Unavailable,
            FailureKind.ResourceExhausted => StatusCode.ResourceExhausted,
            FailureKind.Aborted => StatusCode.Aborted,
            FailureKind.OutOfRange => StatusCode.OutOfRange,
            _ => StatusCode.Internal,
        };
        var trailers = new Metadata();
        if (e.Rule is not null)
        {
            trailers.Add("exchange-rule", e.Rule);
        }

        var message = e.Message.Length > MaxMessage ? e.Message[..MaxMessage] + "…" : e.Message;
        return new RpcException(new Status(code, message), trailers);
    }

    private RpcException? Translate(Exception exception, ServerCallContext context)
    {
        if (exception is ExchangeException refusal)
        {
            return ToRpc(refusal);
        }

        if (StorageFailure.Classify(exception) is not { } failure)
        {
            return null;
        }

        var status = ToRpc(failure);
        refusals.StorageFailed(context.Method, status.StatusCode, exception);
        return status;
    }
}
