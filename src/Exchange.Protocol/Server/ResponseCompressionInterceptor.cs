using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Exchange.Protocol.Server;

/// <summary>
/// Compresses a response only when the caller compressed its request. Every gRPC client
/// advertises gzip in grpc-accept-encoding, so compressing whenever it is accepted would gzip
/// every tiny reply; measured on the two-core bench that cost two thirds of streaming throughput.
/// A caller that sends grpc-encoding: gzip has said its payloads are worth compressing.
/// </summary>
public sealed class ResponseCompressionInterceptor : Interceptor
{
    private static readonly WriteOptions Uncompressed = new(WriteFlags.NoCompress);

    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Apply(context);
        return continuation(request, context);
    }

    /// <inheritdoc />
    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Apply(context);
        return continuation(requestStream, context);
    }

    /// <inheritdoc />
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Apply(context);
        return continuation(request, responseStream, context);
    }

    /// <inheritdoc />
    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Apply(context);
        return continuation(requestStream, responseStream, context);
    }

    private static void Apply(ServerCallContext context)
    {
        // grpc-encoding is a reserved header: it is not in RequestHeaders, only on the HTTP request.
        var encoding = context.GetHttpContext().Request.Headers["grpc-encoding"].ToString();
        if (encoding.Length == 0 || encoding == "identity")
        {
            context.WriteOptions = Uncompressed;
        }
    }
}
