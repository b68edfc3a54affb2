using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Exchange.Protocol.Pki;

namespace Exchange.Protocol.Tests.Pki;

public sealed class SigningRequestTests
{
    [Fact]
    public void Ecdsa_p256_request_is_read_with_its_key_fingerprint_and_common_name()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=garage-zao, O=Zao Motors", key, HashAlgorithmName.SHA256);

        Assert.True(SigningRequest.TryParse(request.CreateSigningRequestPem(), out var parsed, out var problem), problem);

        Assert.Equal("ECDSA P-256", parsed.KeyDescription);
        Assert.Equal("garage-zao", parsed.CommonName);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo())), parsed.PublicKeySha256);
    }

    [Theory]
    [InlineData(2048, true)]
    [InlineData(3072, true)]
    [InlineData(1024, false)]
    public void Rsa_keys_need_at_least_2048_bits(int bits, bool accepted)
    {
        using var key = RSA.Create(bits);
        var pem = new CertificateRequest("CN=vendor-x", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem();

        Assert.Equal(accepted, SigningRequest.TryParse(pem, out var parsed, out var problem));

        if (accepted)
        {
            Assert.Equal($"RSA {bits}", parsed!.KeyDescription);
        }
        else
        {
            Assert.Contains("at least 2048", problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Key_on_a_curve_the_hub_does_not_accept_is_refused()
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName("brainpoolP256r1"));
        var pem = new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();

        Assert.False(SigningRequest.TryParse(pem, out _, out var problem));
        Assert.Contains("P-256", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Request_whose_signature_does_not_verify_is_refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        der[^2] ^= 0x01;

        Assert.False(SigningRequest.TryParse(PemEncoding.WriteString("CERTIFICATE REQUEST", der), out _, out var problem));
        Assert.Contains("signature", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----")]
    [InlineData("hello")]
    public void Anything_but_a_pem_request_is_refused_with_a_reason(string pem)
    {
        Assert.False(SigningRequest.TryParse(pem, out _, out var problem));
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }

    [Fact]
    public void Oversized_input_is_refused_before_parsing()
    {
        Assert.False(SigningRequest.TryParse(new string('A', SigningRequest.MaxPemLength + 1), out _, out var problem));
        Assert.Contains("longer than", problem, StringComparison.Ordinal);
    }
}
