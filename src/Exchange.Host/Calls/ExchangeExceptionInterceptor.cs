using Exchange.Domain;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Exchange.Host.Calls;

/// <summary>Maps domain refusals to precise gRPC statuses, so services stay thin.</summary>
internal sealed class ExchangeExceptionInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (ExchangeException e)
        {
            throw ToRpc(e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (ExchangeException e)
        {
            throw ToRpc(e);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (ExchangeException e)
        {
            throw ToRpc(e);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (ExchangeException e)
        {
            throw ToRpc(e);
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
            _ => StatusCode.Internal,
        };
        var trailers = new Metadata();
        if (e.Rule is not null)
        {
            trailers.Add("exchange-rule", e.Rule);
        }

        return new RpcException(new Status(code, e.Message), trailers);
    }
}
