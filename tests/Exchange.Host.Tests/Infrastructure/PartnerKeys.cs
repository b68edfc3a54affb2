using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Exchange.Contracts.V1;
using Grpc.Net.Client;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>A partner's side of the certificate flow: its own key pair, its CSR, and its certificate once issued.</summary>
public sealed class PartnerKeys : IDisposable
{
    public PartnerKeys(string commonName)
    {
        Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", Key, HashAlgorithmName.SHA256);
        CsrPem = request.CreateSigningRequestPem();
        PublicKeySha256 = Convert.ToHexStringLower(SHA256.HashData(request.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    public ECDsa Key { get; }

    public string CsrPem { get; }

    public string PublicKeySha256 { get; }

    /// <summary>The issued certificate (the first one in a chain PEM) joined to this key, ready to present.</summary>
    public X509Certificate2 Certificate(string certificatePem)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        return certificate.CopyWithPrivateKey(Key);
    }

    public void Dispose() => Key.Dispose();
}

/// <summary>Administrator shortcuts over the Partners and Certificates services.</summary>
public static class AdminCalls
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<PartyInfo> AddPartyAsync(this GrpcChannel admin, string partyId, string role = "member-garage") =>
        await new Partners.PartnersClient(admin).AddPartyAsync(
            new AddPartyRequest { PartyId = partyId, Role = role, NameJa = "株式会社蔵王自動車", NameEn = "Zao Motors Co., Ltd.", Contact = "整備部 佐藤 023-000-0000" },
            cancellationToken: Ct);

    /// <summary>Files <paramref name="keys"/>' CSR for <paramref name="partyId"/> and approves it; returns the issued certificate.</summary>
    public static async Task<IssuedCertificate> IssueAsync(this GrpcChannel admin, string partyId, PartnerKeys keys, int lifetimeDays = 0)
    {
        var certificates = new Certificates.CertificatesClient(admin);
        var filed = await certificates.SubmitSigningRequestAsync(new SubmitSigningRequestRequest { PartyId = partyId, CsrPem = keys.CsrPem }, cancellationToken: Ct);
        return await certificates.ApproveSigningRequestAsync(new ApproveSigningRequestRequest { RequestId = filed.RequestId, LifetimeDays = lifetimeDays }, cancellationToken: Ct);
    }

    public static async Task<CertificateInfo> RevokeAsync(this GrpcChannel admin, string serial, CertificateRevocationReason reason = CertificateRevocationReason.KeyCompromise) =>
        await new Certificates.CertificatesClient(admin).RevokeCertificateAsync(new RevokeCertificateRequest { SerialNumber = serial, Reason = reason, Note = "test" }, cancellationToken: Ct);

    public static async Task<PingReply> PingAsync(this GrpcChannel channel) =>
        await new Diagnostics.DiagnosticsClient(channel).PingAsync(new PingRequest(), cancellationToken: Ct);
}
