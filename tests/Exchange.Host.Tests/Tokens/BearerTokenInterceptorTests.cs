using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Host.Tests.Tokens;

/// <summary>Bearer tokens on gRPC calls over real mTLS: bound to the connection's certificate, its party's, and re-checked on every call.</summary>
public sealed class BearerTokenInterceptorTests : HubScenario
{
    private const string Garage = "garage-kaminoyama";
    private const string Vendor = "vendor-broadleaf";

    protected override Task<TestHub> StartHubAsync() => TestHub.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));

    private static Task<PingReply> PingAsync(Grpc.Net.Client.GrpcChannel channel, CallOptions options) =>
        new Diagnostics.DiagnosticsClient(channel).PingAsync(new PingRequest(), options).ResponseAsync;

    [Fact]
    public async Task A_garage_systems_bound_token_works_over_its_certificate_and_is_refused_over_another_partys()
    {
        var token = await TokenEndpoint.ClientCredentialsAsync(Hub, Certificate(Garage), Garage);

        Assert.Equal(Garage, (await PingAsync(Channel(Garage), TokenEndpoint.Bearer(token))).PartyId);
        var stolen = await Refusals.FailsAsync(() => PingAsync(Channel(Vendor), TokenEndpoint.Bearer(token)));

        Assert.Equal(StatusCode.Unauthenticated, stolen.StatusCode);
        Assert.Contains("bearer token refused: the token is not valid", stolen.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Hub.Logs.Entries, e => e.Message.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_garage_systems_token_is_refused_once_its_party_is_suspended()
    {
        var garage = Channel(Garage);
        var token = await TokenEndpoint.ClientCredentialsAsync(Hub, Certificate(Garage), Garage);
        await PingAsync(garage, TokenEndpoint.Bearer(token));

        await new Partners.PartnersClient(Channel("admin")).SuspendPartyAsync(new ChangePartyStateRequest { PartyId = Garage }, cancellationToken: Ct);
        var refused = await Refusals.FailsAsync(() => PingAsync(garage, TokenEndpoint.Bearer(token)));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("party 'garage-kaminoyama' is suspended", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vendors_token_for_a_garage_stops_working_when_the_garage_withdraws_the_authorisation()
    {
        var garagePartners = new Partners.PartnersClient(Channel(Garage));
        var authorisation = await garagePartners.GrantAuthorisationAsync(new GrantAuthorisationRequest { VendorParty = Vendor, Operations = { "read", "write" } }, cancellationToken: Ct);
        var vendorCertificate = Certificate(Vendor);
        var own = await TokenEndpoint.ClientCredentialsAsync(Hub, vendorCertificate, Vendor);
        var (_, body) = await TokenEndpoint.PostAsync(Hub, vendorCertificate, ("grant_type", TokenEndpoint.Exchange), ("client_id", Vendor), ("subject_token", own), ("subject_token_type", TokenEndpoint.AccessTokenType), ("audience", Garage));
        var forGarage = body.GetProperty("access_token").GetString()!;
        var vendor = Channel(Vendor);
        Assert.Equal(Vendor, (await PingAsync(vendor, TokenEndpoint.Bearer(forGarage))).PartyId);

        await garagePartners.RevokeAuthorisationAsync(new RevokeAuthorisationRequest { AuthorisationId = authorisation.AuthorisationId }, cancellationToken: Ct);
        var refused = await Refusals.FailsAsync(() => PingAsync(vendor, TokenEndpoint.Bearer(forGarage)));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("acting for 'garage-kaminoyama' no longer holds: garage 'garage-kaminoyama' has no current authorisation for vendor 'vendor-broadleaf'", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(Vendor, (await vendor.PingAsync()).PartyId);
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var garage = Channel(Garage);
        var token = await TokenEndpoint.ClientCredentialsAsync(Hub, Certificate(Garage), Garage);
        await PingAsync(garage, TokenEndpoint.Bearer(token));

        Hub.Time!.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var refused = await Refusals.FailsAsync(() => PingAsync(garage, TokenEndpoint.Bearer(token)));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains("bearer token refused: the token is not valid", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Basic Z2FyYWdlOnNlY3JldA==")]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.")]
    [InlineData("Bearer a.b.c.d.e")]
    [InlineData("Bearer ....")]
    [InlineData("Bearer eyJhbGciOiJFUzI1NiIsImtpZCI6IngifQ.eyJ9.c2ln")]
    [InlineData("Bearer {long}")]
    public async Task Hostile_authorization_headers_are_refused_as_unauthenticated(string header)
    {
        header = header.Replace("{long}", new string('A', 12_000), StringComparison.Ordinal);
        var options = new CallOptions(new Metadata { { "authorization", header } }, cancellationToken: Ct);

        var refused = await Refusals.FailsAsync(() => PingAsync(Channel(Garage), options));

        Assert.True(refused.StatusCode == StatusCode.Unauthenticated, refused.Status.ToString());
        Assert.StartsWith("bearer token refused", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_with_the_certificate_alone_are_unchanged()
    {
        Assert.Equal(Garage, (await Channel(Garage).PingAsync()).PartyId);
    }
}
