using System.Net;
using System.Security.Cryptography.X509Certificates;
using Exchange.Protocol.Identity;
using Exchange.Protocol.Pki;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Protocol.Tests.Identity;

public sealed class ClientCertificateValidatorTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly CertificateAuthority _ca = CertificateAuthority.CreateRoot("Test CA", Now.AddDays(-1), TimeSpan.FromDays(365));
    private readonly ClientCertificateValidator _validator;

    public ClientCertificateValidatorTests() =>
        _validator = new ClientCertificateValidator([_ca.Certificate], "exchange.local", _time);

    private static PartySpiffeId Garage => PartySpiffeId.Create("exchange.local", "garage-kaminoyama");

    [Fact]
    public void Certificate_from_the_hub_ca_names_its_party()
    {
        using var certificate = _ca.IssueClientWithNewKey(Garage, Now.AddHours(-1), Now.AddDays(90));

        var check = _validator.Validate(certificate);

        Assert.True(check.IsValid, check.Refusal);
        Assert.Equal(Garage, check.Party);
    }

    [Fact]
    public void Expired_certificate_is_refused()
    {
        using var certificate = _ca.IssueClientWithNewKey(Garage, Now.AddDays(-10), Now.AddDays(-1));

        Assert.Equal("certificate has expired", _validator.Validate(certificate).Refusal);
    }

    [Fact]
    public void Not_yet_valid_certificate_is_refused()
    {
        using var certificate = _ca.IssueClientWithNewKey(Garage, Now.AddDays(1), Now.AddDays(90));

        Assert.Equal("certificate is not yet valid", _validator.Validate(certificate).Refusal);
    }

    [Fact]
    public void Certificate_becomes_refused_when_the_clock_passes_its_end()
    {
        using var certificate = _ca.IssueClientWithNewKey(Garage, Now.AddHours(-1), Now.AddDays(1));
        Assert.True(_validator.Validate(certificate).IsValid);

        _time.Advance(TimeSpan.FromDays(2));

        Assert.False(_validator.Validate(certificate).IsValid);
    }

    [Fact]
    public void Certificate_from_a_foreign_ca_is_refused()
    {
        using var foreign = CertificateAuthority.CreateRoot("Foreign", Now.AddDays(-1), TimeSpan.FromDays(30));
        using var certificate = foreign.IssueClientWithNewKey(Garage, Now.AddHours(-1), Now.AddDays(1));

        Assert.StartsWith("certificate chain is not trusted", _validator.Validate(certificate).Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_certificate_cannot_authenticate_a_client()
    {
        using var certificate = _ca.IssueServerWithNewKey("hub", ["localhost"], [IPAddress.Loopback], Now.AddHours(-1), Now.AddDays(1));

        Assert.False(_validator.Validate(certificate).IsValid);
    }

    [Fact]
    public void Certificate_of_another_trust_domain_is_refused()
    {
        using var certificate = _ca.IssueClientWithNewKey(PartySpiffeId.Create("elsewhere.example", "garage-kaminoyama"), Now.AddHours(-1), Now.AddDays(1));

        Assert.Contains("elsewhere.example", _validator.Validate(certificate).Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Issued_client_certificate_carries_only_the_party_uri_and_client_auth()
    {
        using var certificate = _ca.IssueClientWithNewKey(Garage, Now.AddHours(-1), Now.AddDays(1));

        Assert.Equal(["spiffe://exchange.local/party/garage-kaminoyama"], PartySpiffeId.ReadUriSubjectAltNames(certificate));
        var usage = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], usage.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));
    }

    public void Dispose() => _ca.Dispose();
}
