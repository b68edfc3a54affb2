using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace Exchange.Host.Tests.Transport;

/// <summary>
/// The hub's limits on calls at once, over real mutual TLS: beyond the total or a party's share a
/// call is refused at once, administrators keep a reserve, and health checks still answer.
/// </summary>
public sealed class ConcurrencyLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<TestHub> StartAsync(int total, int perParty, int reserved, FakeTimeProvider? time = null)
    {
        var hub = await TestHub.StartAsync(time, new Dictionary<string, string?>
        {
            ["Exchange:MaxConcurrentCalls"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Exchange:MaxConcurrentCallsPerParty"] = perParty.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Exchange:AdministratorReservedCalls"] = reserved.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        // These tests saturate the hub on purpose, and the health-check service logs every Unhealthy
        // result as an error: a readiness check that the gRPC health service's own poll runs while the
        // hub is full (on a slow machine, the poll's first run falls inside a test) is expected.
        hub.ExpectError(e => e.Contains("Health check load-readiness with status Unhealthy", StringComparison.Ordinal));
        return hub;
    }

    [Fact]
    public async Task A_call_beyond_the_limit_is_refused_with_resource_exhausted_until_one_in_flight_ends()
    {
        await using var hub = await StartAsync(total: 2, perParty: 2, reserved: 0);
        var client = new Diagnostics.DiagnosticsClient(hub.Channel("garage-kaminoyama"));
        using var first = await OpenEchoAsync(client);
        using var second = await OpenEchoAsync(client);

        var refused = await Assert.ThrowsAsync<RpcException>(() => client.PingAsync(new PingRequest(), cancellationToken: Ct).ResponseAsync);
        // Nothing written: a write racing the refusal can end the call as Cancelled on the client's side first.
        using var third = client.PingEcho(cancellationToken: Ct);
        var refusedStream = await Assert.ThrowsAsync<RpcException>(() => third.ResponseStream.MoveNext(Ct));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("limit of 2 calls at once", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.ResourceExhausted, refusedStream.StatusCode);
        var health = await new Health.HealthClient(hub.Channel("admin")).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
        Assert.Equal(ServingStatus.Serving, health.Status);

        await first.RequestStream.CompleteAsync();
        Assert.False(await first.ResponseStream.MoveNext(Ct));

        Assert.NotNull(await client.PingAsync(new PingRequest(), cancellationToken: Ct));
    }

    [Fact]
    public async Task A_party_running_its_share_is_refused_beyond_it_while_another_party_is_served()
    {
        await using var hub = await StartAsync(total: 8, perParty: 2, reserved: 1);
        var vendor = new Diagnostics.DiagnosticsClient(hub.Channel("vendor-broadleaf"));
        using var first = await OpenEchoAsync(vendor);
        using var second = await OpenEchoAsync(vendor);

        var refused = await Assert.ThrowsAsync<RpcException>(() => vendor.PingAsync(new PingRequest(), cancellationToken: Ct).ResponseAsync);
        var garage = await new Diagnostics.DiagnosticsClient(hub.Channel("garage-kaminoyama")).PingAsync(new PingRequest(), cancellationToken: Ct);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("party 'vendor-broadleaf' is running its limit of 2 calls at once", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("garage-kaminoyama", garage.PartyId);
        // One party at its share does not make the hub busy for anyone else.
        Assert.Equal(ServingStatus.Serving, await ReadinessAsync(hub, "garage-kaminoyama"));
        Assert.Contains(hub.Logs.Entries, e => e.Event.Id == 1005);

        await first.RequestStream.CompleteAsync();
        Assert.False(await first.ResponseStream.MoveNext(Ct));
        Assert.Equal("vendor-broadleaf", (await vendor.PingAsync(new PingRequest(), cancellationToken: Ct)).PartyId);
    }

    [Fact]
    public async Task Administrator_can_call_while_partners_fill_the_hub()
    {
        await using var hub = await StartAsync(total: 5, perParty: 2, reserved: 1);
        var vendor = new Diagnostics.DiagnosticsClient(hub.Channel("vendor-broadleaf"));
        var garage = new Diagnostics.DiagnosticsClient(hub.Channel("garage-kaminoyama"));
        using var v1 = await OpenEchoAsync(vendor);
        using var v2 = await OpenEchoAsync(vendor);
        using var g1 = await OpenEchoAsync(garage);
        using var g2 = await OpenEchoAsync(garage);

        var refused = await Assert.ThrowsAsync<RpcException>(() => new Diagnostics.DiagnosticsClient(hub.Channel("group-lotus")).PingAsync(new PingRequest(), cancellationToken: Ct).ResponseAsync);
        var admin = hub.Channel("admin");
        var verified = await new ProvisionLog.ProvisionLogClient(admin).VerifyAsync(new VerifyRequest(), cancellationToken: Ct);
        var suspended = await new Partners.PartnersClient(admin).SuspendPartyAsync(new ChangePartyStateRequest { PartyId = "vendor-broadleaf", Reason = "flooding the hub" }, cancellationToken: Ct);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("limit of 5 calls at once", refused.Status.Detail, StringComparison.Ordinal);
        Assert.True(verified.Intact);
        Assert.Equal(PartyState.Suspended, suspended.State);
    }

    [Fact]
    public async Task Health_reports_the_hub_degraded_while_saturated_and_serving_again_after()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var hub = await StartAsync(total: 3, perParty: 2, reserved: 1, time);
        var garage = new Diagnostics.DiagnosticsClient(hub.Channel("garage-kaminoyama"));
        var first = await OpenEchoAsync(garage);
        var second = await OpenEchoAsync(garage);

        // The garage runs both calls partners may run; health checks are still answered, to it too.
        var busy = (await ReadinessAsync(hub, "garage-kaminoyama"), await OverallAsync(hub), await ReportAsync(hub));
        var refused = await Assert.ThrowsAsync<RpcException>(() => new Diagnostics.DiagnosticsClient(hub.Channel("vendor-broadleaf")).PingAsync(new PingRequest(), cancellationToken: Ct).ResponseAsync);
        await EndAsync(first);
        await EndAsync(second);
        var justRefused = await ReadinessAsync(hub, "vendor-broadleaf");
        time.Advance(TimeSpan.FromSeconds(6));
        var after = (await ReadinessAsync(hub, "vendor-broadleaf"), await OverallAsync(hub), await ReportAsync(hub));

        Assert.Equal((ServingStatus.NotServing, ServingStatus.Serving, HealthStatus.Degraded), busy);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal(ServingStatus.NotServing, justRefused);
        Assert.Equal((ServingStatus.Serving, ServingStatus.Serving, HealthStatus.Healthy), after);
    }

    [Theory]
    [InlineData("0", null)]
    [InlineData("9", null)]
    [InlineData(null, "8")]
    [InlineData(null, "-1")]
    public async Task The_hub_refuses_to_start_with_limits_that_do_not_fit(string? perParty, string? reserved)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Exchange:MaxConcurrentCalls"] = "8",
            ["Exchange:MaxConcurrentCallsPerParty"] = perParty,
            ["Exchange:AdministratorReservedCalls"] = reserved,
        };

        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await (await TestHub.StartAsync(settings: settings)).DisposeAsync());

        Assert.Contains(perParty is null ? "Exchange:AdministratorReservedCalls" : "Exchange:MaxConcurrentCallsPerParty", error.Message, StringComparison.Ordinal);
    }

    private static async Task<ServingStatus> ReadinessAsync(TestHub hub, string party) =>
        (await new Health.HealthClient(hub.Channel(party)).CheckAsync(new HealthCheckRequest { Service = HubHealth.ReadinessService }, cancellationToken: Ct)).Status;

    private static async Task<ServingStatus> OverallAsync(TestHub hub) =>
        (await new Health.HealthClient(hub.Channel("admin")).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct)).Status;

    // The hub's own health report, as the overall service reads it.
    private static async Task<HealthStatus> ReportAsync(TestHub hub) =>
        (await hub.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => !r.Tags.Contains(HubHealth.ReadinessOnlyTag), Ct)).Status;

    private static async Task EndAsync(AsyncDuplexStreamingCall<PingRequest, PingReply> call)
    {
        using (call)
        {
            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNext(Ct));
        }
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
