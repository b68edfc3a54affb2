using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;

namespace Exchange.Host.Tests.Transport;

/// <summary>The hub's limit on calls at once, over real mutual TLS: beyond it a call is refused at once, and health checks still answer.</summary>
public sealed class ConcurrencyLimitTests : IAsyncLifetime
{
    private TestHub _hub = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _hub = await TestHub.StartAsync(settings: new Dictionary<string, string?> { ["Exchange:MaxConcurrentCalls"] = "2" });

    public ValueTask DisposeAsync() => _hub.DisposeAsync();

    [Fact]
    public async Task A_call_beyond_the_limit_is_refused_with_resource_exhausted_until_one_in_flight_ends()
    {
        var client = new Diagnostics.DiagnosticsClient(_hub.Channel("garage-kaminoyama"));
        using var first = await OpenEchoAsync(client);
        using var second = await OpenEchoAsync(client);

        var refused = await Assert.ThrowsAsync<RpcException>(() => client.PingAsync(new PingRequest(), cancellationToken: Ct).ResponseAsync);
        // Nothing written: a write racing the refusal can end the call as Cancelled on the client's side first.
        using var third = client.PingEcho(cancellationToken: Ct);
        var refusedStream = await Assert.ThrowsAsync<RpcException>(() => third.ResponseStream.MoveNext(Ct));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("limit of 2 calls at once", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.ResourceExhausted, refusedStream.StatusCode);
        var health = await new Health.HealthClient(_hub.Channel("admin")).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        await first.RequestStream.CompleteAsync();
        Assert.False(await first.ResponseStream.MoveNext(Ct));

        Assert.NotNull(await client.PingAsync(new PingRequest(), cancellationToken: Ct));
    }

    // A duplex stream the hub is running: its first echo has come back.
    private static async Task<AsyncDuplexStreamingCall<PingRequest, PingReply>> OpenEchoAsync(Diagnostics.DiagnosticsClient client)
    {
        var call = client.PingEcho(cancellationToken: Ct);
        try
        {
            await call.RequestStream.WriteAsync(new PingRequest { Payload = ByteString.CopyFromUtf8("held") }, Ct);
            Assert.True(await call.ResponseStream.MoveNext(Ct));
            return call;
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }
}
