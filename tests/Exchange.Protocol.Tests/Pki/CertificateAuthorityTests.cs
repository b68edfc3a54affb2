using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Exchange.Protocol.Identity;
using Exchange.Protocol.Pki;

namespace Exchange.Protocol.Tests.Pki;

public sealed class CertificateAuthorityTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    private readonly CertificateAuthority _root = CertificateAuthority.CreateRoot("Root", Now.AddDays(-1), TimeSpan.FromDays(3650));

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Subordinate_ca_may_sign_certificates_and_crls_but_no_further_cas()
    {
        using var issuing = _root.IssueSubordinate("Issuing CA 1", Now, TimeSpan.FromDays(365));

        var constraints = issuing.Certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.HasPathLengthConstraint);
        Assert.Equal(0, constraints.PathLengthConstraint);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, issuing.Certificate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Equal(_root.Certificate.Subject, issuing.Certificate.Issuer);
        Assert.True(issuing.Certificate.HasPrivateKey);
    }

    [Fact]
    public void Client_certificate_from_a_subordinate_validates_against_the_root_with_the_subordinate_as_intermediate()
    {
        using var issuing = _root.IssueSubordinate("Issuing CA 1", Now.AddDays(-1), TimeSpan.FromDays(365));
        var party = PartySpiffeId.Create("exchange.local", "garage-zao");
        using var client = issuing.IssueClientWithNewKey(party, Now.AddHours(-1), Now.AddDays(90));
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now);

        var without = new ClientCertificateValidator([_root.Certificate], "exchange.local", time).Validate(client);
        var with = new ClientCertificateValidator([_root.Certificate], "exchange.local", time, [issuing.Certificate]).Validate(client);

        Assert.False(without.IsValid);
        Assert.True(with.IsValid, with.Refusal);
        Assert.Equal(party, with.Party);
    }

    [Fact]
    public void Issued_serial_numbers_are_positive_sixteen_bytes_and_distinct()
    {
        var party = PartySpiffeId.Create("exchange.local", "garage-zao");
        var serials = Enumerable.Range(0, 50).Select(_ =>
        {
            using var certificate = _root.IssueClientWithNewKey(party, Now, Now.AddDays(1));
            return certificate.SerialNumber;
        }).ToList();

        Assert.All(serials, s => Assert.Equal(32, s.Length));
        Assert.All(serials, s => Assert.InRange(Convert.ToByte(s[..2], 16), 0x01, 0x7F));
        Assert.Equal(serials.Count, serials.Distinct().Count());
    }

    [Fact]
    public void Crl_lists_each_serial_with_its_reason_and_is_signed_by_the_ca()
    {
        var entries = new[]
        {
            new CrlEntry("0A1B2C", Now.AddHours(-2), X509RevocationReason.KeyCompromise),
            new CrlEntry("7F00FF", Now.AddHours(-1), X509RevocationReason.Superseded),
        };

        var der = _root.BuildCrl(entries, 42, Now, Now.AddDays(1));

        var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var tbs = list.PeekEncodedValue().ToArray();
        var tbsReader = list.ReadSequence();
        list.ReadSequence();
        var signature = list.ReadBitString(out _);
        using var key = _root.Certificate.GetECDsaPublicKey()!;
        Assert.True(key.VerifyData(tbs, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.Equal(1, (int)tbsReader.ReadInteger());
        tbsReader.ReadSequence();
        Assert.Equal(_root.Certificate.SubjectName.RawData, tbsReader.ReadEncodedValue().ToArray());
        tbsReader.ReadUtcTime();
        tbsReader.ReadUtcTime();
        var revoked = tbsReader.ReadSequence();
        var serials = new List<string>();
        while (revoked.HasData)
        {
            var entry = revoked.ReadSequence();
            serials.Add(Convert.ToHexString(entry.ReadIntegerBytes().Span));
        }

        Assert.Equal(["0A1B2C", "7F00FF"], serials);
    }

    [Fact]
    public void An_rsa_ca_signs_client_certificates_too()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=RSA Root", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var ca = new CertificateAuthority(request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(365)));

        using var client = ca.IssueClientWithNewKey(PartySpiffeId.Create("exchange.local", "vendor-x"), Now, Now.AddDays(30));
        var crl = ca.BuildCrl([new CrlEntry(client.SerialNumber, Now, X509RevocationReason.CessationOfOperation)], 1, Now, Now.AddDays(1));

        Assert.Equal("CN=RSA Root", client.Issuer);
        Assert.NotEmpty(crl);
    }
}
