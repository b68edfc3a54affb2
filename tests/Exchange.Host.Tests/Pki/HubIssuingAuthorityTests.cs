using System.Net;
using System.Security.Cryptography.X509Certificates;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Protocol.Identity;
using Exchange.Protocol.Pki;
using Grpc.Core;

namespace Exchange.Host.Tests.Pki;

/// <summary>
/// The production PKI layout: an offline root the hub only trusts, an issuing intermediate whose key
/// the hub holds, a server certificate from that intermediate and a bootstrap administrator whose
/// certificate was issued offline and is recorded at start. Issued certificates chain through the
/// intermediate; certificates the intermediate signed outside the hub are refused.
/// </summary>
public sealed class HubIssuingAuthorityTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "exchange-pki-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly CertificateAuthority _root = CertificateAuthority.CreateRoot("Exchange Root CA (offline)", Now.AddDays(-1), TimeSpan.FromDays(3650));
    private readonly CertificateAuthority _issuing;
    private readonly X509Certificate2 _operator;

    public HubIssuingAuthorityTests()
    {
        Directory.CreateDirectory(_directory);
        _issuing = _root.IssueSubordinate("Exchange Issuing CA 1", Now.AddDays(-1), TimeSpan.FromDays(730));
        using var server = _issuing.IssueServerWithNewKey("hub", ["localhost"], [IPAddress.Loopback], Now.AddDays(-1), Now.AddDays(90));
        Write("root.crt", _root.Certificate.ExportCertificatePem());
        Write("issuing.crt", _issuing.Certificate.ExportCertificatePem());
        Write("issuing.key", _issuing.Certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        Write("server.crt", server.ExportCertificatePem() + "\n" + _issuing.Certificate.ExportCertificatePem());
        Write("server.key", server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        _operator = _issuing.IssueClientWithNewKey(PartySpiffeId.Create("exchange.local", "ops-admin"), Now.AddMinutes(-5), Now.AddDays(30));
        Write("ops-admin.crt", _operator.ExportCertificatePem());
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _operator.Dispose();
        _issuing.Dispose();
        _root.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Certificates_issued_by_an_intermediate_under_an_offline_root_call_the_hub()
    {
        await using var hub = await TestHub.StartAsync(settings: Production());
        using var admin = hub.Channel(_operator);
        Assert.Equal("ops-admin", (await admin.PingAsync()).PartyId);
        await admin.AddPartyAsync("garage-zao");
        using var keys = new PartnerKeys("garage-zao");

        var issued = await admin.IssueAsync("garage-zao", keys);

        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(issued.CertificatePem);
        Assert.Equal(2, chain.Count);
        Assert.Equal(_issuing.Certificate.Thumbprint, chain[1].Thumbprint);
        Assert.Equal(_issuing.Certificate.Subject, chain[0].Issuer);
        Assert.Equal(_root.Certificate.ExportCertificatePem().Trim(), issued.CaPem.Trim());
        using var certificate = keys.Certificate(issued.CertificatePem);
        using var garage = hub.Channel(certificate);
        Assert.Equal("garage-zao", (await garage.PingAsync()).PartyId);
        var crl = CrlReader.Read((await new Certificates.CertificatesClient(admin).GetCrlAsync(new GetCrlRequest(), cancellationToken: Ct)).CrlDer.ToByteArray());
        Assert.True(crl.VerifySignature(_issuing.Certificate));
        Assert.Equal(_issuing.Certificate.SubjectName.RawData, crl.Issuer);
    }

    [Fact]
    public async Task The_bootstrap_administrators_certificate_is_recorded_at_start_once()
    {
        var settings = Production();
        settings["Exchange:DataDirectory"] = Path.Combine(_directory, "data");
        await using (var first = await TestHub.StartAsync(settings: settings))
        {
            using var admin = first.Channel(_operator);
            var listed = await new Certificates.CertificatesClient(admin).ListCertificatesAsync(new ListCertificatesRequest { PartyId = "ops-admin" }, cancellationToken: Ct);

            var recorded = Assert.Single(listed.Certificates);
            Assert.Equal((_operator.SerialNumber, CertificateOrigin.Bootstrap), (recorded.SerialNumber, recorded.Origin));
        }

        await using var restarted = await TestHub.StartAsync(settings: settings);
        using var again = restarted.Channel(_operator);

        Assert.Equal("ops-admin", (await again.PingAsync()).PartyId);
        Assert.Single((await new Certificates.CertificatesClient(again).ListCertificatesAsync(new ListCertificatesRequest { PartyId = "ops-admin" }, cancellationToken: Ct)).Certificates);
    }

    [Fact]
    public async Task A_certificate_the_issuing_ca_signed_outside_the_hub_is_refused_and_can_still_be_revoked_by_serial()
    {
        await using var hub = await TestHub.StartAsync(settings: Production());
        using var offline = _issuing.IssueClientWithNewKey(PartySpiffeId.Create("exchange.local", "ops-admin"), Now.AddMinutes(-5), Now.AddDays(30));
        using var admin = hub.Channel(_operator);
        using var other = hub.Channel(offline);

        Refusals.AssertConnectionRefused(await Refusals.FailsAsync(other.PingAsync));
        var refused = await Refusals.FailsAsync(() => admin.RevokeAsync(offline.SerialNumber));
        await new Certificates.CertificatesClient(admin).RevokeCertificateAsync(new RevokeCertificateRequest { SerialNumber = offline.SerialNumber, Reason = CertificateRevocationReason.KeyCompromise, AllowUnknown = true }, cancellationToken: Ct);

        Refusals.AssertRefusedAtHandshake(hub, $"certificate {offline.SerialNumber} was not issued by this hub's registry");
        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
        Assert.Equal("ops-admin", (await admin.PingAsync()).PartyId);
    }

    [Fact]
    public async Task Without_an_issuing_ca_the_hub_issues_nothing_and_publishes_no_crl_but_still_enforces_revocations()
    {
        // The intermediate that issued the operator's certificate offline is in the trust bundle.
        Write("bundle.crt", _root.Certificate.ExportCertificatePem() + "\n" + _issuing.Certificate.ExportCertificatePem());
        var settings = Production();
        settings["Exchange:Pki:CaCertificate"] = Path.Combine(_directory, "bundle.crt");
        settings.Remove("Exchange:Pki:IssuingCaCertificate");
        settings.Remove("Exchange:Pki:IssuingCaKey");
        await using var hub = await TestHub.StartAsync(settings: settings);
        using var admin = hub.Channel(_operator);
        await admin.AddPartyAsync("garage-zao");
        using var keys = new PartnerKeys("garage-zao");
        using var http = new HttpClient(Exchange.Protocol.Client.MutualTlsChannel.CreateHandler(null, hub.TrustAnchors));

        var error = await Refusals.FailsAsync(() => admin.IssueAsync("garage-zao", keys));
        using var crl = await http.GetAsync(new Uri(hub.PublicAddress!, "crl"), Ct);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("no issuing CA", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, crl.StatusCode);
        Assert.Contains(hub.Logs.Entries, e => e.Event.Id == 2102);
    }

    [Theory]
    [InlineData("foreign", "does not chain to a certificate in Exchange:Pki:CaCertificate")]
    [InlineData("leaf", "not a CA certificate")]
    public async Task The_hub_refuses_to_start_with_an_unusable_issuing_ca(string kind, string reason)
    {
        if (kind == "foreign")
        {
            using var foreign = CertificateAuthority.CreateRoot("Someone else's CA", Now.AddDays(-1), TimeSpan.FromDays(365));
            Write("bad.crt", foreign.Certificate.ExportCertificatePem());
            Write("bad.key", foreign.Certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }
        else
        {
            using var leaf = _issuing.IssueClientWithNewKey(PartySpiffeId.Create("exchange.local", "not-a-ca"), Now.AddDays(-1), Now.AddDays(30));
            Write("bad.crt", leaf.ExportCertificatePem());
            Write("bad.key", leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }

        var settings = Production();
        settings["Exchange:Pki:IssuingCaCertificate"] = Path.Combine(_directory, "bad.crt");
        settings["Exchange:Pki:IssuingCaKey"] = Path.Combine(_directory, "bad.key");

        var error = await StartFailureAsync(settings);

        Assert.Contains(reason, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bootstrap_certificate_naming_another_party_stops_the_start()
    {
        using var other = _issuing.IssueClientWithNewKey(PartySpiffeId.Create("exchange.local", "garage-zao"), Now.AddMinutes(-5), Now.AddDays(30));
        Write("other.crt", other.ExportCertificatePem());
        var settings = Production();
        settings["Exchange:BootstrapAdministratorCertificate"] = Path.Combine(_directory, "other.crt");

        var error = await StartFailureAsync(settings);

        Assert.Contains("names 'garage-zao', not Exchange:BootstrapAdministrator 'ops-admin'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_issuing_ca_certificate_without_its_key_is_a_configuration_error()
    {
        var settings = Production();
        settings.Remove("Exchange:Pki:IssuingCaKey");

        var error = await StartFailureAsync(settings);

        Assert.Contains("must be set together", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Exchange:Pki:ClientCertificateLifetime", "00:10:00", "ClientCertificateLifetime")]
    [InlineData("Exchange:Pki:ClientCertificateLifetime", "500.00:00:00", "ClientCertificateLifetime")]
    [InlineData("Exchange:Pki:CrlLifetime", "00:00:10", "CrlLifetime")]
    [InlineData("Exchange:Pki:IssuingCaCertificate", "/no/such/issuing.crt", "does not exist")]
    [InlineData("Exchange:BootstrapAdministratorCertificate", "/no/such/ops-admin.crt", "does not exist")]
    public async Task Issuance_settings_out_of_range_stop_the_start(string key, string value, string message)
    {
        var settings = Production();
        settings[key] = value;

        var error = await StartFailureAsync(settings);

        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<Exception> StartFailureAsync(Dictionary<string, string?> settings)
    {
        try
        {
            await using var hub = await TestHub.StartAsync(settings: settings);
        }
        catch (Exception e)
        {
            return e;
        }

        throw new Xunit.Sdk.XunitException("the hub started, but its settings should have stopped it");
    }

    private Dictionary<string, string?> Production() => new()
    {
        ["Exchange:Pki:CaCertificate"] = Path.Combine(_directory, "root.crt"),
        ["Exchange:Pki:ServerCertificate"] = Path.Combine(_directory, "server.crt"),
        ["Exchange:Pki:ServerKey"] = Path.Combine(_directory, "server.key"),
        ["Exchange:Pki:IssuingCaCertificate"] = Path.Combine(_directory, "issuing.crt"),
        ["Exchange:Pki:IssuingCaKey"] = Path.Combine(_directory, "issuing.key"),
        ["Exchange:BootstrapAdministrator"] = "ops-admin",
        ["Exchange:BootstrapAdministratorCertificate"] = Path.Combine(_directory, "ops-admin.crt"),
    };

    private void Write(string name, string pem) => File.WriteAllText(Path.Combine(_directory, name), pem + "\n");
}
