using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Google.Protobuf;

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
}
