using System.Security.Cryptography.X509Certificates;
using Exchange.Domain.Provisions;
using Exchange.Host;
using Exchange.Protocol.Client;
using Exchange.Protocol.Pki;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Exchange.Bench;

/// <summary>
/// A real hub in this process on 127.0.0.1 (port 0), with a development PKI and data in a temporary
/// folder that is deleted afterwards, storing in a SQLite file there or in a PostgreSQL database of
/// its own (<see cref="BenchDatabase"/>); the bench calls it as garage-kaminoyama over mutual TLS.
/// </summary>
internal sealed class BenchHub : IAsyncDisposable
{
    /// <summary>The development garage: it writes the records and makes the transport calls.</summary>
    public const string Garage = "garage-kaminoyama";

    /// <summary>The development group body: it reads the garage's records for a purpose.</summary>
    public const string GroupBody = "group-lotus";

    /// <summary>The development administrator: it verifies the provision log.</summary>
    public const string Administrator = "admin";

    private readonly WebApplication _app;
    private readonly string _directory;
    private readonly Dictionary<string, X509Certificate2> _certificates = [];
    private readonly List<GrpcChannel> _channels = [];

    private BenchHub(WebApplication app, string directory, BenchDatabase database, NoteKey witness)
    {
        _app = app;
        Witness = witness;
        _directory = directory;
        Database = database;
        Address = HubApplication.GetListeningAddress(app);
        TrustAnchors = PemFiles.LoadCertificates(Path.Combine(CertificateDirectory, "ca.crt"));
    }

    public Uri Address { get; }

    /// <summary>The operations port (probes, /metrics), when the settings gave one.</summary>
    public Uri? OperationsAddress => HubApplication.GetOperationsAddress(_app);

    public BenchDatabase Database { get; }

    /// <summary>The hub's temporary folder, deleted with it: room for the bench's own scratch files.</summary>
    public string Directory => _directory;

    private string CertificateDirectory => Path.Combine(_directory, "certs");

    /// <summary>The hub's services, for what the bench measures beside it.</summary>
    public IServiceProvider Services => _app.Services;

    public X509Certificate2Collection TrustAnchors { get; }

    /// <summary>The witness key of <see cref="GroupBody"/>, configured as the log's one witness (quorum 1).</summary>
    public NoteKey Witness { get; }

    public static async Task<BenchHub> StartAsync(BenchOptions options, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "exchange-bench-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        WebApplication? app = null;
        BenchDatabase? database = null;
        var witness = NoteKey.CreateWitness("witness.bench.example");
        try
        {
            database = options.Provider == BenchProvider.Postgres
                ? await BenchDatabase.CreatePostgresAsync(options.Postgres!).ConfigureAwait(false)
                : BenchDatabase.Sqlite(Path.Combine(directory, "data"));
            // Development: the bench hub uses the development PKI and declaration operator.
            app = HubApplication.Create(["--environment", "Development"], builder =>
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Exchange:Listen"] = "https://127.0.0.1:0",
                    // The public declaration page is not measured, but would otherwise claim its fixed port.
                    ["Exchange:PublicListen"] = "https://127.0.0.1:0",
                    ["Exchange:Pki:DevelopmentDirectory"] = Path.Combine(directory, "certs"),
                    ["Exchange:DataDirectory"] = Path.Combine(directory, "data"),
                    // The bench drives each scenario as one party (128 readers by default): its share is the whole hub.
                    ["Exchange:MaxConcurrentCallsPerParty"] = "512",
                    // Subscriptions are calls: the idle-subscription scenario holds a thousand at once.
                    ["Exchange:MaxConcurrentCalls"] = "2048",
                    // The persons'-rights scenario loads records last changed two days ago for a retention run to dispose of.
                    ["Exchange:Retention:CustomerRecords"] = "1.00:00:00",
                    // Configured levels win over SetMinimumLevel, so the default is set here too.
                    ["Logging:LogLevel:Default"] = "Warning",
                    ["Exchange:TreeLog:Witnesses:0:Party"] = GroupBody,
                    ["Exchange:TreeLog:Witnesses:0:VerifierKey"] = witness.VerifierKey,
                    ["Exchange:TreeLog:Quorum"] = "1",
                }.Concat(database.HubSettings).Concat(settings ?? new Dictionary<string, string?>()));
                builder.Logging.ClearProviders();
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
            });
            await app.StartAsync().ConfigureAwait(false);
            return new BenchHub(app, directory, database, witness);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            if (database is not null)
            {
                await database.DisposeAsync().ConfigureAwait(false);
            }

            DeleteDirectory(directory);
            witness.Dispose();
            throw;
        }
    }

    /// <summary>A channel of its own (so its own HTTP/2 connection) to the hub, or to <paramref name="address"/>, calling as <paramref name="party"/>; disposed with the hub.</summary>
    public GrpcChannel CreateChannel(string party = Garage, Uri? address = null)
    {
        if (!_certificates.TryGetValue(party, out var certificate))
        {
            certificate = PemFiles.LoadCertificateWithKey(Path.Combine(CertificateDirectory, party + ".crt"), Path.Combine(CertificateDirectory, party + ".key"));
            _certificates.Add(party, certificate);
        }

        var channel = MutualTlsChannel.Create(address ?? Address, certificate, TrustAnchors);
        _channels.Add(channel);
        return channel;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        try
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            foreach (var certificate in _certificates.Values)
            {
                certificate.Dispose();
            }

            await Database.DisposeAsync().ConfigureAwait(false);
            DeleteDirectory(_directory);
            Witness.Dispose();
        }
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temporary folder is left behind.
        }
    }
}
