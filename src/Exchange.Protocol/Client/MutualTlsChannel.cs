using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace Exchange.Protocol.Client;

/// <summary>
/// gRPC channels to the hub (or to any peer) over mutual TLS: the caller's certificate, the peer
/// checked against the given trust anchors only, connections pooled and reused across calls.
/// </summary>
public static class MutualTlsChannel
{
    /// <summary>Creates a channel; dispose it to close its connections.</summary>
    /// <param name="address">The peer, e.g. <c>https://127.0.0.1:7443</c>.</param>
    /// <param name="clientCertificate">The caller's certificate with its private key.</param>
    /// <param name="trustAnchors">The CA certificates the peer's certificate must chain to.</param>
    /// <param name="configure">Further channel options (message sizes, compression, ...).</param>
    public static GrpcChannel Create(Uri address, X509Certificate2 clientCertificate, X509Certificate2Collection trustAnchors, Action<GrpcChannelOptions>? configure = null)
    {
        var handler = CreateHandler(clientCertificate, trustAnchors);
        var options = new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true };
        configure?.Invoke(options);
        return GrpcChannel.ForAddress(address, options);
    }

    /// <summary>The HTTP/2 handler under <see cref="Create"/>, for callers that need raw HTTP access.</summary>
    public static SocketsHttpHandler CreateHandler(X509Certificate2? clientCertificate, X509Certificate2Collection trustAnchors) => new()
    {
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            RemoteCertificateValidationCallback = (_, certificate, presented, errors) =>
                certificate is X509Certificate2 server && IsTrustedServer(server, presented, errors, trustAnchors),
        },
    };

    private static bool IsTrustedServer(X509Certificate2 server, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection trustAnchors)
    {
        // The host name check is the platform's; the chain is judged against our anchors alone.
        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustAnchors);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Intermediates the server sent help build the chain; only the anchors are trusted.
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(server);
    }
}
