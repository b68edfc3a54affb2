using System.Net;
using Exchange.Contracts.V1;
using Exchange.Host;
using Exchange.Host.Pki;
using Exchange.Protocol.Identity;
using Exchange.Protocol.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Exchange.Bench;

/// <summary>
/// A grpc-dotnet server with none of the hub's per-call code: the hub's mutual-TLS endpoint (its
/// certificates and certificate validation, paid once per connection) and a Ping that answers at
/// once. Offered the same calls as the hub, it shows what the transport alone costs on this machine,
/// with the client on the same cores.
/// </summary>
internal sealed class BareServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BareServer(WebApplication app)
    {
        _app = app;
        Address = HubApplication.GetListeningAddress(app);
    }

    public Uri Address { get; }

    /// <summary>Starts on 127.0.0.1, port 0, presenting <paramref name="hub"/>'s server certificate and validating callers as it does.</summary>
    public static async Task<BareServer> StartAsync(BenchHub hub)
    {
        var certificates = hub.Services.GetRequiredService<HubCertificates>();
        var validator = hub.Services.GetRequiredService<ClientCertificateValidator>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // No handshake check: the hub's is a revocation query, made once per connection too.
            kestrel.ListenMutualTls(new IPEndPoint(IPAddress.Loopback, 0), certificates.ServerCertificate, certificates.ServerChain, validator, NullLogger.Instance);
        });

        var app = builder.Build();
        app.MapGrpcService<PingOnly>();
        await app.StartAsync().ConfigureAwait(false);
        return new BareServer(app);
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
