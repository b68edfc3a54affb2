using System.Net;
using System.Security.Authentication;
using Exchange.Contracts.V1;
using Exchange.Protocol.Pki;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Exchange.Bench;

/// <summary>
/// A grpc-dotnet server with none of the hub's code: Kestrel, HTTP/2 over TLS with a client
/// certificate required, and a Ping that answers at once. Offered the same calls as the hub, it
/// shows what the transport alone costs on this machine, with the client on the same cores.
/// </summary>
internal sealed class BareServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BareServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Starts on 127.0.0.1, port 0, with the hub's development server certificate from <paramref name="certificates"/>.</summary>
    public static async Task<BareServer> StartAsync(string certificates)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        var certificate = PemFiles.LoadCertificateWithKey(Path.Combine(certificates, "server.crt"), Path.Combine(certificates, "server.key"));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificate;
                    https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                    https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                    // The floor measured is the transport's: the hub's certificate checks are left out on purpose.
                    https.ClientCertificateValidation = (_, _, _) => true;
                });
            });
        });

        var app = builder.Build();
        app.MapGrpcService<PingOnly>();
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new BareServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class PingOnly : Diagnostics.DiagnosticsBase
    {
        public override Task<PingReply> Ping(PingRequest request, ServerCallContext context) => Task.FromResult(new PingReply());
    }
}
