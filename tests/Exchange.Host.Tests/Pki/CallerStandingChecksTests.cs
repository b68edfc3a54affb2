using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Exchange.Contracts.V1;
using Exchange.Protocol.Identity;
using Exchange.Protocol.Pki;
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
        var party = PartySpiffeId.Create("exchange.local", Garage);
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
        var stranger = Track(ca.IssueClientWithNewKey(PartySpiffeId.Create("exchange.local", "garage-unknown"), now.AddMinutes(-5), now.AddDays(1)));
        await Hub.RecordAsync(stranger, "garage-unknown");

        var error = await Refusals.FailsAsync(Channel(stranger).PingAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("party 'garage-unknown' is not registered at the hub (rule party.unknown)", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificate_signed_by_the_hub_ca_naming_admin_but_never_recorded_is_refused_at_the_handshake()
    {
        using var ca = Hub.DevelopmentCa();
        var now = Hub.Time!.GetUtcNow();
        var forged = Track(ca.IssueClientWithNewKey(PartySpiffeId.Create("exchange.local", "admin"), now.AddMinutes(-5), now.AddDays(1)));

        var error = await Refusals.FailsAsync(() => new Partners.PartnersClient(Channel(forged)).ListPartiesAsync(new ListPartiesRequest(), cancellationToken: Ct).ResponseAsync);

        Refusals.AssertConnectionRefused(error);
        Refusals.AssertRefusedAtHandshake(Hub, $"certificate {forged.SerialNumber} was not issued by this hub's registry (no certificate with this serial number is recorded");
        Assert.Equal("admin", (await Channel("admin").PingAsync()).PartyId);
    }

    [Fact]
    public async Task Certificate_never_recorded_is_refused_on_every_call_even_past_the_handshake()
    {
        await using var hub = await TestHub.StartAsync(configure: builder => builder.Services.AddSingleton<IHandshakeCertificateCheck>(new NoHandshakeCheck()));
        using var ca = hub.DevelopmentCa();
        var now = DateTimeOffset.UtcNow;
        using var forged = ca.IssueClientWithNewKey(PartySpiffeId.Create("exchange.local", "admin"), now.AddMinutes(-5), now.AddDays(1));
        using var channel = hub.Channel(forged);

        var ping = await Refusals.FailsAsync(channel.PingAsync);
        var admin = await Refusals.FailsAsync(() => new Partners.PartnersClient(channel).ListPartiesAsync(new ListPartiesRequest(), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, ping.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, admin.StatusCode);
        Assert.Equal($"caller refused: certificate {forged.SerialNumber} was not issued by this hub's registry (no certificate with this serial number is recorded; rule certificate.unrecorded)", admin.Status.Detail);
    }

    [Fact]
    public async Task Recorded_serial_presented_with_another_key_is_refused_at_the_handshake_and_on_every_call()
    {
        await using var bypassed = await TestHub.StartAsync(configure: builder => builder.Services.AddSingleton<IHandshakeCertificateCheck>(new NoHandshakeCheck()));
        foreach (var hub in new[] { Hub, bypassed })
        {
            using var genuine = hub.ClientCertificate("admin");
            using var ca = hub.DevelopmentCa();
            using var twin = SameSerialWithNewKey(ca, genuine);
            using var channel = hub.Channel(twin);

            var error = await Refusals.FailsAsync(channel.PingAsync);

            Assert.Equal(genuine.SerialNumber, twin.SerialNumber);
            if (hub == Hub)
            {
                Refusals.AssertConnectionRefused(error);
                Refusals.AssertRefusedAtHandshake(hub, $"certificate {twin.SerialNumber} was not issued by this hub's registry (its serial number is recorded for a different certificate");
            }
            else
            {
                Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
                Assert.Contains("was not issued by this hub's registry (its serial number is recorded for a different certificate", error.Status.Detail, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Recorded_serial_presented_in_a_certificate_naming_another_party_is_refused()
    {
        using var genuine = Certificate(Garage);
        using var ca = Hub.DevelopmentCa();
        using var twin = SameSerialWithNewKey(ca, genuine, "admin");

        Refusals.AssertConnectionRefused(await Refusals.FailsAsync(Channel(twin).PingAsync));

        Refusals.AssertRefusedAtHandshake(Hub, $"certificate {twin.SerialNumber} was not issued by this hub's registry (its serial number is recorded for another party");
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

    // What a holder of the CA key could sign: a certificate reusing a recorded serial number, for a
    // key of its own, naming the same party (or another).
    private static X509Certificate2 SameSerialWithNewKey(CertificateAuthority ca, X509Certificate2 recorded, string? party = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(recorded.SubjectName, key, HashAlgorithmName.SHA256);
        foreach (var extension in recorded.Extensions)
        {
            if (extension is not X509SubjectKeyIdentifierExtension && (party is null || extension is not X509SubjectAlternativeNameExtension))
            {
                request.CertificateExtensions.Add(extension);
            }
        }

        if (party is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddUri(new Uri(PartySpiffeId.Create("exchange.local", party).ToString()));
            request.CertificateExtensions.Add(san.Build());
        }

        using var forged = request.Create(ca.Certificate, recorded.NotBefore, recorded.NotAfter, Convert.FromHexString(recorded.SerialNumber));
        return forged.CopyWithPrivateKey(key);
    }

    private sealed class NoHandshakeCheck : IHandshakeCertificateCheck
    {
        public string? GetRefusal(X509Certificate2 certificate, PartySpiffeId party) => null;
    }
}
