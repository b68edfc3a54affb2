using System.Security.Cryptography.X509Certificates;
using Exchange.Host.Configuration;
using Exchange.Protocol.Pki;
using Microsoft.Extensions.Options;

namespace Exchange.Host.Pki;

/// <summary>The certificates the hub runs with: its server certificate and the trust anchors for clients.</summary>
internal sealed class HubCertificates : IDisposable
{
    public HubCertificates(IOptions<HubOptions> options, TimeProvider time, ILogger<HubCertificates> logger)
    {
        var hub = options.Value;
        var pki = hub.Pki;
        string caPath, certPath, keyPath;
        if (pki.IsConfigured)
        {
            (caPath, certPath, keyPath) = (pki.CaCertificate!, pki.ServerCertificate!, pki.ServerKey!);
        }
        else
        {
            var directory = Path.GetFullPath(pki.DevelopmentDirectory);
            if (DevelopmentPki.EnsureCreated(directory, hub.TrustDomain, time))
            {
                HostLog.DevelopmentPkiCreated(logger, directory);
            }

            DevelopmentDirectory = directory;
            caPath = Path.Combine(directory, DevelopmentPki.CaCertificateFile);
            certPath = Path.Combine(directory, DevelopmentPki.ServerCertificateFile);
            keyPath = Path.Combine(directory, DevelopmentPki.ServerKeyFile);
        }

        TrustAnchors = PemFiles.LoadCertificates(caPath);
        ServerCertificate = PemFiles.LoadCertificateWithKey(certPath, keyPath);
        var chain = PemFiles.LoadCertificates(certPath);
        ServerChain = chain.Count > 1 ? new X509Certificate2Collection(chain.Skip(1).ToArray()) : null;
    }

    /// <summary>The CA certificates client certificates must chain to.</summary>
    public X509Certificate2Collection TrustAnchors { get; }

    public X509Certificate2 ServerCertificate { get; }

    public X509Certificate2Collection? ServerChain { get; }

    /// <summary>The development PKI folder, when that is what the hub runs with.</summary>
    public string? DevelopmentDirectory { get; }

    public void Dispose()
    {
        ServerCertificate.Dispose();
        foreach (var anchor in TrustAnchors)
        {
            anchor.Dispose();
        }
    }
}
