using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Host.Tests.Pki;

/// <summary>
/// Who may call, decided on every call and at every handshake over real mTLS: revoked
/// certificates, suspended and withdrawn parties, expired and not-yet-valid certificates, and two
/// hub instances sharing one database.
/// </summary>
public sealed class CallerStandingChecksTests : HubScenario
{
    private const string Garage = "garage-kaminoyama";

    protected override Task<TestHub> StartHubAsync() => TestHub.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));

    [Fact]
    public async Task Revoked_certificate_is_refused_on_the_next_call_of_an_open_connection_and_at_every_new_handshake()
    {
        var open = Channel(Garage);
        Assert.Equal(Garage, (await open.PingAsync()).PartyId);
        var serial = Certificate(Garage).SerialNumber;

        await Channel("admin").RevokeAsync(serial, CertificateRevocationReason.KeyCompromise);

        var onOpen = await Refusals.FailsAsync(open.PingAsync);
        Assert.Equal(StatusCode.Unauthenticated, onOpen.StatusCode);
        Assert.Contains($"certificate {serial} is revoked (key-compromise)", onOpen.Status.Detail, StringComparison.Ordinal);
        var records = await Refusals.FailsAsync(() => new Records.RecordsClient(open).GetCustomerAsync(new GetCustomerRequest { Purpose = "after-sales", OwnerParty = Garage, CustomerRef = "C1" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, records.StatusCode);

        var onNew = await Refusals.FailsAsync(Channel(Garage).PingAsync);
        Refusals.AssertConnectionRefused(onNew);
        Refusals.AssertRefusedAtHandshake(Hub, $"certificate {serial} is revoked");
        Assert.Equal("group-lotus", (await Channel("group-lotus").PingAsync()).PartyId);
    }

    [Fact]
    public async Task Suspended_party_is_refused_on_its_next_call_for_every_service_until_reactivated()
    {
        var garage = Channel(Garage);
        await garage.PingAsync();
        var partners = new Partners.PartnersClient(Channel("admin"));

        var suspended = await partners.SuspendPartyAsync(new ChangePartyStateRequest { PartyId = Garage, Reason = "unpaid fees" }, cancellationToken: Ct);

        Assert.Equal(PartyState.Suspended, suspended.State);
        foreach (var call in new Func<Task>[]
        {
            garage.PingAsync,
            () => new Records.RecordsClient(garage).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C1") }, cancellationToken: Ct).ResponseAsync,
            () => new Declarations.DeclarationsClient(garage).GetInForceAsync(new GetInForceRequest(), cancellationToken: Ct).ResponseAsync,
            () => new Partners.PartnersClient(garage).GetPartyAsync(new GetPartyRequest { PartyId = Garage }, cancellationToken: Ct).ResponseAsync,
        })
        {
            var error = await Refusals.FailsAsync(call);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
            Assert.Contains("party 'garage-kaminoyama' is suspended (rule party.inactive)", error.Status.Detail, StringComparison.Ordinal);
        }

        // Suspension refuses calls, not connections: the partner learns why.
        var fresh = await Refusals.FailsAsync(Channel(Garage).PingAsync);
        Assert.Equal(StatusCode.PermissionDenied, fresh.StatusCode);

        await partners.ReactivatePartyAsync(new ChangePartyStateRequest { PartyId = Garage }, cancellationToken: Ct);
        Assert.Equal(Garage, (await garage.PingAsync()).PartyId);
    }

    [Fact]
    public async Task Withdrawn_party_loses_its_certificates_and_cannot_come_back()
    {
        var garage = Channel(Garage);
        await garage.PingAsync();
        var partners = new Partners.PartnersClient(Channel("admin"));

        var withdrawn = await partners.WithdrawPartyAsync(new ChangePartyStateRequest { PartyId = Garage, Reason = "closed the business" }, cancellationToken: Ct);

        Assert.Equal(PartyState.Withdrawn, withdrawn.State);
        Assert.Equal(StatusCode.Unauthenticated, (await Refusals.FailsAsync(garage.PingAsync)).StatusCode);
        Refusals.AssertConnectionRefused(await Refusals.FailsAsync(Channel(Garage).PingAsync));
        var back = await Refusals.FailsAsync(() => partners.ReactivatePartyAsync(new ChangePartyStateRequest { PartyId = Garage }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, back.StatusCode);
        var certificates = await new Certificates.CertificatesClient(Channel("admin")).ListCertificatesAsync(new ListCertificatesRequest { PartyId = Garage, IncludeInactive = true }, cancellationToken: Ct);
        Assert.Equal(CertificateRevocationReason.CessationOfOperation, Assert.Single(certificates.Certificates).RevocationReason);
    }

    [Fact]
    public async Task Certificate_that_expires_while_its_connection_is_open_is_refused_on_the_next_call_and_at_new_handshakes()
    {
        var admin = Channel("admin");
        await admin.AddPartyAsync("garage-zao");
        using var keys = new PartnerKeys("garage-zao");
        var issued = await admin.IssueAsync("garage-zao", keys, lifetimeDays: 1);
        var open = Channel(Track(keys.Certificate(issued.CertificatePem)));
        Assert.Equal("garage-zao", (await open.PingAsync()).PartyId);

        Hub.Time!.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));

        var onOpen = await Refusals.FailsAsync(open.PingAsync);
        Assert.Equal(StatusCode.Unauthenticated, onOpen.StatusCode);
        Assert.Contains("client certificate has expired", onOpen.Status.Detail, StringComparison.Ordinal);
        Refusals.AssertConnectionRefused(await Refusals.FailsAsync(Channel(keys.Certificate(issued.CertificatePem)).PingAsync));
        Refusals.AssertRefusedAtHandshake(Hub, "certificate has expired");
    }

    [Fact]
    public async Task Already_expired_and_not_yet_valid_certificates_never_reach_a_handler()
    {
        var now = Hub.Time!.GetUtcNow();
        using var ca = Hub.DevelopmentCa();
        var party = Exchange.Protocol.Identity.PartySpiffeId.Create("exchange.local", Garage);
        var expired = Track(ca.IssueClientWithNewKey(party, now.AddDays(-30), now.AddDays(-1)));
        var early = Track(ca.IssueClientWithNewKey(party, now.AddDays(1), now.AddDays(30)));

        Refusals.AssertConnectionRefused(await Refusals.FailsAsync(Channel(expired).PingAsync));
        Refusals.AssertConnectionRefused(await Refusals.FailsAsync(Channel(early).PingAsync));

        Refusals.AssertRefusedAtHandshake(Hub, "certificate has expired");
        Refusals.AssertRefusedAtHandshake(Hub, "certificate is not yet valid");
    }

    [Fact]
    public async Task Certificate_of_a_party_theHub_does_not_know_is_refused_on_every_call()
    {
        using var ca = Hub.DevelopmentCa();
        var now = Hub.Time!.GetUtcNow();
        var stranger = Track(ca.IssueClientWithNewKey(Exchange.Protocol.Identity.PartySpiffeId.Create("exchange.local", "garage-unknown"), now.AddMinutes(-5), now.AddDays(1)));

        var error = await Refusals.FailsAsync(Channel(stranger).PingAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("party 'garage-unknown' is not registered at the hub (rule party.unknown)", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revocation_made_through_oneHub_instance_is_enforced_by_another_sharing_the_database()
    {
        await using var second = await TestHub.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Exchange:DataDirectory"] = Path.Combine(Hub.Directory, "data"),
            ["Exchange:Pki:DevelopmentDirectory"] = Hub.CertificateDirectory,
        });
        var onSecond = Track(second.Channel(Certificate(Garage)));
        Assert.Equal(Garage, (await onSecond.PingAsync()).PartyId);

        await Channel("admin").RevokeAsync(Certificate(Garage).SerialNumber);

        Assert.Equal(StatusCode.Unauthenticated, (await Refusals.FailsAsync(onSecond.PingAsync)).StatusCode);
        Refusals.AssertConnectionRefused(await Refusals.FailsAsync(Track(second.Channel(Certificate(Garage))).PingAsync));

        await new Partners.PartnersClient(Track(second.Channel(Certificate("admin")))).SuspendPartyAsync(new ChangePartyStateRequest { PartyId = "group-lotus" }, cancellationToken: Ct);
        Assert.Equal(StatusCode.PermissionDenied, (await Refusals.FailsAsync(Channel("group-lotus").PingAsync)).StatusCode);
    }
}
