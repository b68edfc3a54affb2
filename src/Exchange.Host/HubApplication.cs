using System.Net;
using System.Reflection;
using Exchange.Host.Configuration;
using Exchange.Host.Pki;
using Exchange.Host.Services;
using Exchange.Protocol.Identity;
using Exchange.Protocol.Server;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Exchange.Host;

/// <summary>Builds the hub: one place where protocol, contracts, domain and storage are wired.</summary>
internal static class HubApplication
{
    public static string Version { get; } =
        typeof(HubApplication).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Creates the hub application; <paramref name="configure"/> lets tests and tools add settings or services.</summary>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<HubOptions>().BindConfiguration(HubOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HubOptions>, HubOptionsValidator>();
        builder.Services.AddSingleton<HubCertificates>();
        builder.Services.AddSingleton(sp => new ClientCertificateValidator(
            sp.GetRequiredService<HubCertificates>().TrustAnchors,
            sp.GetRequiredService<IOptions<HubOptions>>().Value.TrustDomain,
            sp.GetRequiredService<TimeProvider>()));
        builder.Services.TryAddSingleton<ICertificateStatusSource, NoCertificateRefusals>();

        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<CallerIdentityInterceptor>();
            grpc.MaxReceiveMessageSize = 4 * 1024 * 1024;
            grpc.ResponseCompressionAlgorithm = "gzip";
            grpc.ResponseCompressionLevel = System.IO.Compression.CompressionLevel.Fastest;
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck("hub", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var services = kestrel.ApplicationServices;
            var options = services.GetRequiredService<IOptions<HubOptions>>().Value;
            var certificates = services.GetRequiredService<HubCertificates>();
            kestrel.AddServerHeader = false;
            kestrel.ListenMutualTls(
                ToEndPoint(options.Listen),
                certificates.ServerCertificate,
                certificates.ServerChain,
                services.GetRequiredService<ClientCertificateValidator>(),
                services.GetRequiredService<ILoggerFactory>().CreateLogger("Exchange.Protocol.Tls"));
        });

        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapGrpcService<DiagnosticsService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.Lifetime.ApplicationStarted.Register(() => AnnounceListening(app));
        return app;
    }

    /// <summary>The address the hub actually listens on (after port 0 is resolved).</summary>
    public static Uri GetListeningAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First());
    }

    private static IPEndPoint ToEndPoint(Uri listen)
    {
        var host = listen.Host.Trim('[', ']');
        var address = host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host);
        return new IPEndPoint(address, listen.Port);
    }

    private static void AnnounceListening(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Exchange.Host");
        var options = app.Services.GetRequiredService<IOptions<HubOptions>>().Value;
        var address = GetListeningAddress(app);
        HostLog.Listening(logger, Version, address.ToString(), options.TrustDomain);
        var dev = app.Services.GetRequiredService<HubCertificates>().DevelopmentDirectory;
        if (dev is not null)
        {
            HostLog.HowToCall(logger, Path.GetRelativePath(Environment.CurrentDirectory, dev), $"{address.Host}:{address.Port}");
        }
    }
}
