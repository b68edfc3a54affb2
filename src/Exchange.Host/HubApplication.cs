using System.Diagnostics.Metrics;
using System.Net;
using System.Reflection;
using Exchange.Domain.Declarations;
using Exchange.Domain.Feed;
using Exchange.Domain.Oversight;
using Exchange.Domain.Policy;
using Exchange.Domain.Provisions;
using Exchange.Domain.Recalls;
using Exchange.Domain.Subjects;
using Exchange.Domain.Records;
using Exchange.Host.Calls;
using Exchange.Host.Configuration;
using Exchange.Host.Console;
using Exchange.Host.Pki;
using Exchange.Host.Services;
using Exchange.Host.Telemetry;
using Exchange.Host.Tokens;
using Exchange.Protocol.Identity;
using Exchange.Protocol.Server;
using Exchange.Storage;
using Microsoft.AspNetCore.DataProtection;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
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
        NativeHeap.CapArenas();
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<HubOptions>().BindConfiguration(HubOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HubOptions>, HubOptionsValidator>();
        builder.Services.AddSingleton<HubCertificates>();
        builder.Services.AddHostedService<NativeHeapTrimmer>();
        builder.Services.AddSingleton(sp => new ClientCertificateValidator(
            sp.GetRequiredService<HubCertificates>().TrustAnchors,
            sp.GetRequiredService<IOptions<HubOptions>>().Value.TrustDomain,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<HubIssuingAuthority>().Intermediates));
        AddDomain(builder.Services);
        builder.Services.AddHubPki();

        builder.Services.AddSingleton<IReservedCallers, AdministratorCallers>();
        builder.Services.AddSingleton(sp => new CallConcurrencyLimit(
            sp.GetRequiredService<IOptions<HubOptions>>().Value.CallLimits,
            sp.GetRequiredService<IReservedCallers>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IMeterFactory>()));
        builder.Services.AddGrpc(grpc =>
        {
            // Outermost: every call is measured, those refused below too.
            grpc.Interceptors.Add<CallMetricsInterceptor>();
            // First: a call refused for load costs nothing more.
            grpc.Interceptors.Add<ConcurrencyLimitInterceptor>();
            grpc.Interceptors.Add<ResponseCompressionInterceptor>();
            // Outside the identity check, whose standing query fails like any other when the database does.
            grpc.Interceptors.Add<ExchangeExceptionInterceptor>();
            grpc.Interceptors.Add<CallerIdentityInterceptor>();
            grpc.MaxReceiveMessageSize = 4 * 1024 * 1024;
            grpc.ResponseCompressionAlgorithm = "gzip";
            grpc.ResponseCompressionLevel = System.IO.Compression.CompressionLevel.Fastest;
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddHubHealthChecks();
        builder.Services.AddTokenService();
        builder.Services.AddHubConsole();

        // Every request is decoded through the screen (after everything that adds gRPC services): see ScreenedServiceMethodProvider.
        builder.Services.RemoveAll(typeof(IServiceMethodProvider<>));
        builder.Services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(ScreenedServiceMethodProvider<>));
        builder.Services.AddSingleton<CallerStandingGuard>();
        builder.Services.AddSingleton<RequestScreen>();
        builder.Services.AddSingleton<CallRefusals>();

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
                services.GetRequiredService<ILoggerFactory>().CreateLogger("Exchange.Protocol.Tls"),
                services.GetRequiredService<IHandshakeCertificateCheck>());
            if (options.PublicListen is { } publicListen)
            {
                // The declaration page and the CRL: HTTPS for anyone, no client certificate; nothing else is served there.
                kestrel.Listen(ToEndPoint(publicListen), listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(https => https.ServerCertificate = certificates.ServerCertificate);
                    PublicEndpoint.MarkPublic(listen);
                });
            }

            kestrel.ListenConsole();
            OperationsEndpoint.Listen(kestrel, services.GetRequiredService<IOptions<OperationsOptions>>().Value);
        });

        configure?.Invoke(builder);
        // After configure: telemetry is wired from the configuration as the caller left it.
        builder.AddHubTelemetry();

        var app = builder.Build();
        app.UsePublicEndpoint();
        app.MapOperationsEndpoint(HubTelemetry.ServesMetrics(app.Configuration));
        // After the public and operations endpoints' filters, which keep sign-in, the console and tokens off those listeners.
        app.UseHubConsole();
        app.MapTokenService();
        app.MapDeclarationPage();
        app.MapTransparencyLog();
        app.MapGrpcService<DiagnosticsService>();
        app.MapGrpcService<RecordsService>();
        app.MapGrpcService<DeclarationsService>();
        app.MapGrpcService<GrantsService>();
        app.MapGrpcService<ProvisionLogService>();
        app.MapGrpcService<PartnersService>();
        app.MapGrpcService<CertificatesService>();
        app.MapGrpcService<HubAuditService>();
        app.MapGrpcService<FeedService>();
        app.MapGrpcService<RecallsService>();
        app.MapGrpcService<OversightService>();
        app.MapGrpcService<SubjectsService>();
        app.MapGrpcService<StaffService>();
        app.MapCrl();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapHubConsole();
        app.Lifetime.ApplicationStarted.Register(() => AnnounceListening(app));
        return app;
    }

    /// <summary>The address partners call (after port 0 is resolved).</summary>
    public static Uri GetListeningAddress(WebApplication app) => GetAddresses(app)[0];

    /// <summary>The address of the public declaration page, when it is served.</summary>
    public static Uri? GetPublicAddress(WebApplication app) => GetAddresses(app).Skip(1).FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttps);

    /// <summary>The address of the operations port (plain HTTP), when it is served.</summary>
    public static Uri? GetOperationsAddress(WebApplication app) => GetAddresses(app).FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttp);

    private static List<Uri> GetAddresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();

    private static void AddDomain(IServiceCollection services)
    {
        services.AddExchangeStorage(sp => sp.GetRequiredService<IOptions<HubOptions>>().Value.Storage);
        services.AddSingleton<HubKeys>();
        services.AddSingleton<ILogSigner>(sp => sp.GetRequiredService<HubKeys>());
        services.AddSingleton(sp => sp.GetRequiredService<HubKeys>().Pseudonyms);
        services.AddSingleton(sp => new DeclarationSettings { MinimumNotice = TimeSpan.FromDays(sp.GetRequiredService<IOptions<HubOptions>>().Value.DeclarationNoticeDays) });
        services.AddSingleton(sp => new StatisticsSettings { K = sp.GetRequiredService<IOptions<HubOptions>>().Value.StatisticsK, BilledRoundingYen = sp.GetRequiredService<IOptions<HubOptions>>().Value.StatisticsBilledRoundingYen });
        services.AddScoped<DeclarationRegistry>();
        services.AddScoped<GrantRegistry>();
        services.AddSingleton<PolicyDecisions>();
        services.AddScoped<CustomerRecords>();
        services.AddScoped<RecordSync>();
        services.AddScoped<ProvisionLogAudit>();
        services.AddScoped(sp => new ProvisionTree(sp.GetRequiredService<IProvisionTreeStore>(), sp.GetRequiredService<HubKeys>().TreeKey, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<HubOptions>>().Value.TreeLog.Policy));
        services.AddScoped<CallContextFactory>();
        services.AddSingleton<RegisteredParties>();
        services.AddHostedService<HubStartup>();
        // After HubStartup: Data Protection reads its key ring as the host starts, once the database is migrated.
        services.AddDataProtection().SetApplicationName("Exchange").PersistKeysToExchangeDatabase();
        services.AddHostedService<CheckpointService>();
        services.AddHostedService<TreeCheckpointService>();
        services.AddScoped<IRecordChanges, FeedRecordChanges>();
        services.AddScoped<IRecordChanges, RecallRecordChanges>();
        services.AddScoped<RecallCampaigns>();
        services.AddScoped<ChangeFeed>();
        services.AddScoped<CertificateExpiryNotices>();
        services.AddHostedService<FeedHeadWatcher>();
        services.AddHostedService<FeedMaintenance>();
        services.AddSingleton(sp =>
        {
            var retention = sp.GetRequiredService<IOptions<HubOptions>>().Value.Retention;
            return new RetentionSettings(retention.CustomerRecords, retention.WithdrawnGarageNotice, retention.ProvisionLogEntries, retention.SubjectRequests);
        });
        services.AddSingleton(sp =>
        {
            var incidents = sp.GetRequiredService<IOptions<HubOptions>>().Value.Incidents;
            return new OversightSettings(incidents.SensitiveItems.ToHashSet(StringComparer.Ordinal), incidents.DiscloseExceptionalByDefault);
        });
        services.AddScoped<ExceptionalProvisions>();
        services.AddScoped<IncidentScopes>();
        services.AddScoped<RetentionRuns>();
        services.AddHostedService<RetentionService>();
        services.AddSingleton(sp => new SubjectSettings
        {
            ReminderAfter = sp.GetRequiredService<IOptions<HubOptions>>().Value.Subjects.ReminderAfter,
            ShowActingStaff = sp.GetRequiredService<IOptions<HubOptions>>().Value.Subjects.ShowActingStaff,
        });
        services.AddScoped<SubjectRequests>();
        services.AddScoped<SubjectDisclosures>();
        services.AddHostedService<SubjectReminders>();
    }

    internal static IPEndPoint ToEndPoint(Uri listen)
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
        if (GetPublicAddress(app) is { } publicAddress)
        {
            HostLog.PublicPage(logger, publicAddress.ToString());
        }

        if (GetOperationsAddress(app) is { } operationsAddress)
        {
            TelemetryLog.OperationsListening(logger, operationsAddress.ToString());
        }

        if (HubTelemetry.OtlpEndpoint(app.Configuration, app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value) is { } otlp && app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value.Enabled)
        {
            TelemetryLog.ExportingOtlp(logger, otlp.ToString());
        }

        var dev = app.Services.GetRequiredService<HubCertificates>().DevelopmentDirectory;
        if (dev is not null)
        {
            HostLog.HowToCall(logger, dev, $"{address.Host}:{address.Port}");
        }
    }
}
