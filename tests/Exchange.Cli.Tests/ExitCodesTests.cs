using Grpc.Core;

namespace Exchange.Cli.Tests;

public sealed class ExitCodesTests
{
    [Fact]
    public void Connection_closed_after_the_handshake_counts_as_unavailable_however_grpc_reports_it()
    {
        var closedEarly = new RpcException(new Status(StatusCode.Unavailable, "Error starting gRPC call. IOException: The SSL connection could not be established"));
        var closedAfterHttp2Began = new RpcException(new Status(StatusCode.Internal, "Error starting gRPC call. HttpRequestException: An HTTP/2 connection could not be established because the server did not complete the HTTP/2 handshake.", new HttpRequestException("handshake")));

        Assert.Equal(ExitCodes.Unavailable, ExitCodes.For(ExitCodes.StatusOf(closedEarly)));
        Assert.Equal(ExitCodes.Unavailable, ExitCodes.For(ExitCodes.StatusOf(closedAfterHttp2Began)));
    }

    [Fact]
    public void Internal_error_of_the_hub_itself_stays_a_failure()
    {
        var hubFailed = new RpcException(new Status(StatusCode.Internal, "Exception was thrown by handler."));

        Assert.Equal(ExitCodes.Failure, ExitCodes.For(ExitCodes.StatusOf(hubFailed)));
    }
}
