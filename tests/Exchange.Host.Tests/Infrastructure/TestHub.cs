using System.Security.Cryptography.X509Certificates;
using Exchange.Domain.Certificates;
using Exchange.Host.Pki;
using Exchange.Protocol.Client;
using Exchange.Protocol.Pki;
using Exchange.Storage;
using Exchange.Storage.Tests.Infrastructure;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>
/// A real hub on 127.0.0.1 (port 0) with its own development PKI and data in a temporary folder.
/// Disposing it fails the test when the hub logged an error the test did not declare expected.
/// </summary>
public sealed class TestHub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<Func<string, bool>> _expectedErrors = [];

    private readonly PostgresTestDatabase? _database;

    private TestHub(WebApplication app, string directory, CapturedLogs logs, FakeTimeProvider? time, PostgresTestDatabase? database)
    {
        _app = app;
        _database = database;
        Directory = directory;
        Logs = logs;
        Time = time;
        Address = HubApplication.GetListeningAddress(app);
        PublicAddress = HubApplication.GetPublicAddress(app);
        OperationsAddress = HubApplication.GetOperationsAddress(app);
        ConsoleAddress = app.Services.GetRequiredService<Host.Console.ConsoleListener>().Address;
        TrustAnchors = app.Services.GetRequiredService<HubCertificates>().TrustAnchors;
    }

    /// <summary>The hub's address, e.g. https://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    /// <summary>The public declaration endpoint (HTTPS, no client certificate).</summary>
    public Uri? PublicAddress { get; }

    /// <summary>The operations port (plain HTTP: probes and metrics), when Exchange:Operations:Port is set.</summary>
    public Uri? OperationsAddress { get; }

    /// <summary>The operators' web console, e.g. https://127.0.0.1:41236/console, when Exchange:Console:Listen is set (https://127.0.0.1:0).</summary>
    public Uri? ConsoleAddress { get; }

    /// <summary>The temporary folder holding the hub's certificates and data.</summary>
    public string Directory { get; }

    public string CertificateDirectory => Path.Combine(Directory, "certs");

    public X509Certificate2Collection TrustAnchors { get; }

    public CapturedLogs Logs { get; }

    /// <summary>The hub's clock, when the test asked to drive it.</summary>
    public FakeTimeProvider? Time { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The connection string of the hub's own PostgreSQL database, for a second hub on the same one; null on SQLite.</summary>
    public string? PostgresConnectionString => _database?.ConnectionString;

    /// <summary>The database the hub uses: its own SQLite file, or its own database on the test PostgreSQL server.</summary>
    public DatabaseProvider Provider => _database is null ? DatabaseProvider.Sqlite : DatabaseProvider.Postgres;

    /// <summary>
    /// Starts a hub on <paramref name="provider"/>: SQLite in its folder, or a new database on the
    /// PostgreSQL server <see cref="PostgresTestDatabase.Variable"/> names (the test is skipped without one),
    /// dropped when the hub is disposed. It runs as the Development environment (the development PKI,
    /// the development declaration operator) unless <paramref name="environment"/> says otherwise.
    /// </summary>
    public static async Task<TestHub> StartAsync(FakeTimeProvider? time = null, IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null, DatabaseProvider provider = DatabaseProvider.Sqlite, string environment = "Development")
    {
        PostgresTestDatabase? database = null;
        if (provider == DatabaseProvider.Postgres)
        {
            PostgresTestDatabase.SkipUnlessAvailable();
            database = new PostgresTestDatabase("hub");
        }

        var directory = Path.Combine(Path.GetTempPath(), "exchange-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var logs = new CapturedLogs();
        var app = HubApplication.Create(["--environment", environment], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Exchange:Listen"] = "https://127.0.0.1:0",
                ["Exchange:PublicListen"] = "https://127.0.0.1:0",
                ["Exchange:Pki:DevelopmentDirectory"] = Path.Combine(directory, "certs"),
                ["Exchange:DataDirectory"] = Path.Combine(directory, "data"),
                ["Exchange:Database:Provider"] = provider.ToString(),
                ["Exchange:Database:ConnectionString"] = database?.ConnectionString,
            });
            if (settings is not null)
            {
                builder.Configuration.AddInMemoryCollection(settings);
            }

            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddProvider(logs);
            if (time is not null)
            {
                builder.Services.AddSingleton<TimeProvider>(time);
            }

            configure?.Invoke(builder);
        });
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            database?.Dispose();
            throw;
        }

        return new TestHub(app, directory, logs, time, database);
    }

    /// <summary>Loads a development party's certificate and key (admin, garage-kaminoyama, group-lotus, vendor-broadleaf).</summary>
    public X509Certificate2 ClientCertificate(string party) =>
        PemFiles.LoadCertificateWithKey(Path.Combine(CertificateDirectory, party + ".crt"), Path.Combine(CertificateDirectory, party + ".key"));

    /// <summary>
    /// The development CA, to issue further certificates in tests. The hub accepts only the
    /// certificates its registry recorded: record one with <see cref="RecordAsync"/>, or expect it
    /// to be refused.
    /// </summary>
    public CertificateAuthority DevelopmentCa() =>
        new(PemFiles.LoadCertificateWithKey(Path.Combine(CertificateDirectory, "ca.crt"), Path.Combine(CertificateDirectory, "ca.key")));

    /// <summary>Records a certificate a test minted in the hub's certificate registry, as the development PKI's are.</summary>
    public async Task RecordAsync(X509Certificate2 certificate, string partyId)
    {
        await using var scope = Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<CertificateRegistry>();
        Assert.True(await registry.RecordExistingAsync(ExistingCertificates.RecordOf(certificate, partyId, IssuanceKind.Development), TestContext.Current.CancellationToken));
    }

    /// <summary>A channel that calls the hub as <paramref name="party"/>.</summary>
    public GrpcChannel Channel(string party, Action<GrpcChannelOptions>? configure = null) =>
        MutualTlsChannel.Create(Address, ClientCertificate(party), TrustAnchors, configure);

    /// <summary>
    /// A channel to <paramref name="instance"/>, another hub sharing this one's database and PKI,
    /// calling as <paramref name="party"/> with this hub's development certificate.
    /// </summary>
    public GrpcChannel ChannelTo(TestHub instance, string party) =>
        MutualTlsChannel.Create(instance.Address, ClientCertificate(party), TrustAnchors);

    /// <summary>A channel presenting an arbitrary certificate.</summary>
    public GrpcChannel Channel(X509Certificate2 certificate, Action<GrpcChannelOptions>? configure = null) =>
        MutualTlsChannel.Create(Address, certificate, TrustAnchors, configure);

    /// <summary>Declares that an error log matching <paramref name="match"/> is part of the test.</summary>
    public void ExpectError(Func<string, bool> match) => _expectedErrors.Add(match);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _database?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }

        var unexpected = Logs.Errors.Where(e => !_expectedErrors.Any(m => m(e))).ToList();
        if (unexpected.Count > 0)
        {
            throw new InvalidOperationException("The hub logged unexpected errors:\n" + string.Join("\n", unexpected));
        }
    }
}
