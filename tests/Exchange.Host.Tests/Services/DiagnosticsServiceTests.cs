using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Core;

namespace Exchange.Host.Tests.Services;

public sealed class DiagnosticsServiceTests : IAsyncLifetime
{
    private TestHub _hub = null!;

    public async ValueTask InitializeAsync() => _hub = await TestHub.StartAsync();

    public ValueTask DisposeAsync() => _hub.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unary_ping_names_the_caller_from_its_certificate()
    {
        using var channel = _hub.Channel("garage-kaminoyama");
        var client = new Diagnostics.DiagnosticsClient(channel);

        var reply = await client.PingAsync(new PingRequest { Payload = ByteString.CopyFromUtf8("こんにちは") }, cancellationToken: Ct);

        Assert.Equal("spiffe://exchange.local/party/garage-kaminoyama", reply.Caller);
        Assert.Equal("garage-kaminoyama", reply.PartyId);
        Assert.Equal("こんにちは", reply.Payload.ToStringUtf8());
        Assert.Equal(1, reply.Sequence);
    }

    [Fact]
    public async Task Server_streaming_delivers_every_message_in_order()
    {
        using var channel = _hub.Channel("group-lotus");
        var client = new Diagnostics.DiagnosticsClient(channel);

        using var call = client.PingStream(new PingStreamRequest { Count = 50 }, cancellationToken: Ct);
        var sequences = new List<long>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync(Ct))
        {
            sequences.Add(reply.Sequence);
            Assert.Equal("group-lotus", reply.PartyId);
        }

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), sequences);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_streaming_counts_every_message_and_byte()
    {
        using var channel = _hub.Channel("vendor-broadleaf");
        var client = new Diagnostics.DiagnosticsClient(channel);

        using var call = client.PingUpload(cancellationToken: Ct);
        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new PingRequest { Payload = ByteString.CopyFrom(new byte[i]) }, Ct);
        }

        await call.RequestStream.CompleteAsync();
        var summary = await call;

        Assert.Equal(20, summary.Messages);
        Assert.Equal(Enumerable.Range(0, 20).Sum(), summary.PayloadBytes);
        Assert.Equal("spiffe://exchange.local/party/vendor-broadleaf", summary.Caller);
    }

    [Fact]
    public async Task Duplex_streaming_answers_each_message_before_the_next_is_sent()
    {
        using var channel = _hub.Channel("admin");
        var client = new Diagnostics.DiagnosticsClient(channel);

        using var call = client.PingEcho(cancellationToken: Ct);
        for (var i = 1; i <= 5; i++)
        {
            await call.RequestStream.WriteAsync(new PingRequest { Payload = ByteString.CopyFromUtf8($"#{i}") }, Ct);
            Assert.True(await call.ResponseStream.MoveNext(Ct));
            Assert.Equal($"#{i}", call.ResponseStream.Current.Payload.ToStringUtf8());
            Assert.Equal(i, call.ResponseStream.Current.Sequence);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Theory]
    [InlineData(StatusCode.NotFound, "車台番号 ABC-123 は見つかりません")]
    [InlineData(StatusCode.FailedPrecondition, "100% done; quote \"ok\" — ✓ %41")]
    [InlineData(StatusCode.PermissionDenied, "")]
    public async Task Error_status_and_message_reach_the_client_intact(StatusCode code, string message)
    {
        using var channel = _hub.Channel("garage-kaminoyama");
        var client = new Diagnostics.DiagnosticsClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.PingAsync(new PingRequest { EchoStatus = new EchoStatus { Code = (int)code, Message = message } }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(code, error.StatusCode);
        Assert.Equal(message, error.Status.Detail);
    }

    [Fact]
    public async Task Error_after_streamed_messages_arrives_in_trailers()
    {
        using var channel = _hub.Channel("garage-kaminoyama");
        var client = new Diagnostics.DiagnosticsClient(channel);

        using var call = client.PingStream(new PingStreamRequest { Count = 3, EchoStatus = new EchoStatus { Code = (int)StatusCode.Aborted, Message = "中断されました" } }, cancellationToken: Ct);
        var received = 0;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync(Ct))
            {
                received++;
            }
        });

        Assert.Equal(3, received);
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal("中断されました", error.Status.Detail);
    }

    [Fact]
    public async Task Metadata_travels_both_ways_including_binary_trailers()
    {
        using var channel = _hub.Channel("garage-kaminoyama");
        var client = new Diagnostics.DiagnosticsClient(channel);
        byte[] binary = [0, 1, 2, 0xFE, 0xFF];
        var headers = new Metadata { { "x-grpc-test-echo-initial", "initial-value" }, { "x-grpc-test-echo-trailing-bin", binary } };

        using var call = client.PingAsync(new PingRequest(), headers, cancellationToken: Ct);
        var responseHeaders = await call.ResponseHeadersAsync;
        await call;

        Assert.Equal("initial-value", responseHeaders.GetValue("x-grpc-test-echo-initial"));
        Assert.Equal(binary, call.GetTrailers().GetValueBytes("x-grpc-test-echo-trailing-bin"));
    }

    [Fact]
    public async Task Invalid_stream_arguments_are_refused_with_invalid_argument()
    {
        using var channel = _hub.Channel("garage-kaminoyama");
        var client = new Diagnostics.DiagnosticsClient(channel);

        using var call = client.PingStream(new PingStreamRequest { Count = -1 }, cancellationToken: Ct);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("count", error.Status.Detail, StringComparison.Ordinal);
    }
}
