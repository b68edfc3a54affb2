using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Exchange.Protocol.Client;
using Exchange.Protocol.Identity;
using Exchange.Protocol.Pki;
using Grpc.Core;
using Grpc.Net.Client;

namespace Exchange.Cli;

/// <summary>One command's connection to the hub, made with the caller's certificate, and the deadline of its calls.</summary>
internal sealed class HubSession : IDisposable
{
    private readonly TimeProvider _time;

    private HubSession(Uri address, GrpcChannel channel, X509Certificate2 certificate, string certificatePath, string keyPath, TimeSpan timeout, TimeProvider time)
    {
        _time = time;
        Address = address;
        Channel = channel;
        Certificate = certificate;
        CertificatePath = certificatePath;
        KeyPath = keyPath;
        Timeout = timeout;
    }

    public Uri Address { get; }

    /// <summary>How long each call may take.</summary>
    public TimeSpan Timeout { get; }

    public GrpcChannel Channel { get; }

    /// <summary>The caller's certificate, with its key.</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    /// <summary>Options for one call: the session's deadline, cancelled with the command.</summary>
    public CallOptions Call(CancellationToken cancellationToken) => new(deadline: _time.GetUtcNow().UtcDateTime + Timeout, cancellationToken: cancellationToken);

    /// <summary>The party ID the caller's certificate names.</summary>
    public string PartyId => PartySpiffeId.TryFromCertificate(Certificate, out var id)
        ? id.PartyId
        : throw new CliException(ExitCodes.Usage, $"{CertificatePath} carries no party SPIFFE ID (spiffe://<trust-domain>/party/<party-id>); is it an Exchange client certificate?");

    public static HubSession Open(ParseResult result, GlobalOptions options, CliEnvironment environment)
    {
        var hub = result.GetValue(options.Hub)!;
        if (!Uri.TryCreate(hub, UriKind.Absolute, out var address) || address.Scheme != Uri.UriSchemeHttps)
        {
            throw new CliException(ExitCodes.Usage, $"--hub '{hub}' is not an https:// address (the hub speaks gRPC over mutual TLS only)");
        }

        var caPath = environment.Resolve(result.GetValue(options.Ca)!);
        var certificatePath = environment.Resolve(result.GetValue(options.Cert)!);
        var keyPath = environment.Resolve(result.GetValue(options.Key)!);
        var anchors = Load("CA certificate (--ca)", caPath, () => PemFiles.LoadCertificates(caPath));
        var certificate = Load("client certificate and key (--cert, --key)", certificatePath, () => PemFiles.LoadCertificateWithKey(certificatePath, keyPath));
        var channel = MutualTlsChannel.Create(address, certificate, anchors);
        return new HubSession(address, channel, certificate, certificatePath, keyPath, TimeSpan.FromSeconds(result.GetValue(options.Timeout)), environment.Time);
    }

    public void Dispose()
    {
        Channel.Dispose();
        Certificate.Dispose();
    }

    private static T Load<T>(string what, string path, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or InvalidDataException or ArgumentException)
        {
            throw new CliException(ExitCodes.Failure, $"cannot read the {what} from {path}: {e.Message.TrimEnd('.')}");
        }
    }
}
