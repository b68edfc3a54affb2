using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Exchange.Protocol.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Exchange.Protocol.Server;

/// <summary>Kestrel endpoints for gRPC over TLS (ALPN h2; HTTP/1.1 too, for the token endpoint), client certificate required.</summary>
public static class MutualTlsEndpoint
{
    /// <summary>
    /// Listens on <paramref name="endpoint"/> for gRPC over mutual TLS. A connection whose client
    /// certificate is missing, fails <paramref name="validator"/> or is refused by
    /// <paramref name="handshakeCheck"/> (a revoked certificate) is closed during the handshake,
    /// before any request reaches a handler.
    /// </summary>
    public static void ListenMutualTls(
        this KestrelServerOptions options,
        IPEndPoint endpoint,
        X509Certificate2 serverCertificate,
        X509Certificate2Collection? serverCertificateChain,
        ClientCertificateValidator validator,
        ILogger logger,
        IHandshakeCertificateCheck? handshakeCheck = null)
    {
        options.Listen(endpoint, listen =>
        {
            // HTTP/1.1 beside HTTP/2 so plain HTTPS clients reach the token endpoint; gRPC clients negotiate h2 by ALPN.
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = serverCertificate;
                https.ServerCertificateChain = serverCertificateChain;
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.CheckCertificateRevocation = false;
                // The system's own verdict (sslPolicyErrors) is ignored on purpose: only the hub's
                // trust anchors count, never the machine's CA store.
                https.ClientCertificateValidation = (certificate, chain, _) =>
                {
                    var check = validator.Validate(certificate, chain);
                    var refusal = check.IsValid ? handshakeCheck?.GetRefusal(certificate, check.Party!) : check.Refusal;
                    if (refusal is not null)
                    {
                        ProtocolLog.CertificateRefusedAtHandshake(logger, certificate.Subject, certificate.SerialNumber, refusal);
                    }

                    return refusal is null;
                };
            });
        });
    }
}
