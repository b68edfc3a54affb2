using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Exchange.Domain.Audit;
using Exchange.Domain.Certificates;
using Exchange.Protocol.Identity;
using Exchange.Protocol.Pki;

namespace Exchange.Host.Pki;

/// <summary>
/// Certificates signed outside the Certificates service that the hub must still accept: the
/// development PKI's and the bootstrap administrator's. The hub accepts only certificates its
/// registry recorded, so these are recorded at start.
/// </summary>
internal static class ExistingCertificates
{
    /// <summary>The registry record of <paramref name="certificate"/>, issued to <paramref name="partyId"/>.</summary>
    public static CertificateRecord RecordOf(X509Certificate2 certificate, string partyId, IssuanceKind kind)
    {
        var issuedAt = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        return new CertificateRecord(
            certificate.SerialNumber,
            partyId,
            issuedAt,
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime()),
            certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(),
            SigningRequest.PublicKeyFingerprint(certificate.PublicKey),
            kind,
            null,
            null,
            issuedAt,
            HubAuditEvent.HubActor,
            certificate.ExportCertificatePem() + "\n",
            null);
    }

    /// <summary>
    /// Records the bootstrap administrator's certificate, signed by hand with the issuing CA, from
    /// <paramref name="path"/>; true when it was new. The start fails when the file holds a certificate
    /// the hub would refuse anyway, or one naming another party.
    /// </summary>
    public static async Task<bool> RecordBootstrapAdministratorAsync(string path, string administrator, ClientCertificateValidator validator, CertificateRegistry registry, CancellationToken cancellationToken)
    {
        var certificates = PemFiles.LoadCertificates(path);
        try
        {
            if (certificates.Count == 0)
            {
                throw new InvalidOperationException($"Exchange:BootstrapAdministratorCertificate '{path}' holds no certificate.");
            }

            var certificate = certificates[0];
            var check = validator.Validate(certificate);
            if (!check.IsValid)
            {
                throw new InvalidOperationException($"The bootstrap administrator's certificate in '{path}' cannot be used: {check.Refusal}.");
            }

            if (check.Party!.PartyId != administrator)
            {
                throw new InvalidOperationException($"The bootstrap administrator's certificate in '{path}' names '{check.Party.PartyId}', not Exchange:BootstrapAdministrator '{administrator}'.");
            }

            return await registry.RecordExistingAsync(RecordOf(certificate, administrator, IssuanceKind.Bootstrap), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }
}
