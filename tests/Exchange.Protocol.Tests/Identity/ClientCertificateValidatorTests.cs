using System.Net;
using System.Security.Cryptography;
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

    [Fact]
    public void Certificate_without_client_auth_usage_is_refused()
    {
        using var certificate = Issue(ca: false, usages: null);

        var check = _validator.Validate(certificate);

        Assert.False(check.IsValid);
        Assert.Equal("certificate has no extended key usage extension; a client certificate must name clientAuth (1.3.6.1.5.5.7.3.2)", check.Refusal);
    }

    [Fact]
    public void Certificate_whose_usage_leaves_out_client_auth_is_refused()
    {
        using var certificate = Issue(ca: false, usages: ["1.3.6.1.5.5.7.3.4"]);

        Assert.Equal("certificate's extended key usage does not include clientAuth (1.3.6.1.5.5.7.3.2)", _validator.Validate(certificate).Refusal);
    }

    [Fact]
    public void Ca_certificate_presented_as_a_client_certificate_is_refused()
    {
        using var certificate = Issue(ca: true, usages: ["1.3.6.1.5.5.7.3.2"]);

        var check = _validator.Validate(certificate);

        Assert.False(check.IsValid);
        Assert.Equal("certificate is a CA certificate (basicConstraints CA:TRUE); a client certificate must not be a CA", check.Refusal);
    }

    [Fact]
    public void Certificate_without_basic_constraints_that_names_client_auth_is_accepted()
    {
        using var certificate = Issue(ca: null, usages: ["1.3.6.1.5.5.7.3.2"]);

        var check = _validator.Validate(certificate);

        Assert.True(check.IsValid, check.Refusal);
    }

    public void Dispose() => _ca.Dispose();

    // A certificate from the hub's CA naming the garage, with the given basic constraints (null:
    // none) and extended key usages (null: no EKU extension at all), as a careless or hostile
    // signer could make it.
    private X509Certificate2 Issue(bool? ca, string[]? usages)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=garage-kaminoyama", key, HashAlgorithmName.SHA256);
        if (ca is { } isCa)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        }

        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | (ca == true ? X509KeyUsageFlags.KeyCertSign : 0), true));
        if (usages is not null)
        {
            var oids = new OidCollection();
            foreach (var usage in usages)
            {
                oids.Add(new Oid(usage));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        }

        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(Garage.ToString()));
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca.Certificate, true, false));
        using var issued = request.Create(_ca.Certificate, Now.AddHours(-1), Now.AddDays(30), RandomNumberGenerator.GetBytes(16).Select((b, i) => i == 0 ? (byte)((b & 0x7F) | 1) : b).ToArray());
        return issued.CopyWithPrivateKey(key);
    }
}
