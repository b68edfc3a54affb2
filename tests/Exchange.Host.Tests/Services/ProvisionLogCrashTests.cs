using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Protocol.Client;
using Exchange.Protocol.Pki;
using Exchange.Storage;
using Exchange.Storage.Sqlite;
using Exchange.Storage.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// The hub as its own process, killed without warning (SIGKILL): after answered reads, and in the
/// middle of concurrent batch writes, reads and refusals. Every answered call's entries were
/// committed in the database before its answer, so the hub started again has each of them exactly
/// once, in a chain that verifies; a call in flight at the kill left at most its own entries.
/// </summary>
public abstract class ProvisionLogCrashTests(DatabaseProvider provider) : IDisposable
{
    private const int Reads = 40;
    private const string Garage = "garage-kaminoyama";
    private const int ReadableCustomers = 2_000;
    private const int BatchSize = 25;

    private readonly string _directory = Directory.CreateTempSubdirectory("exchange-crash-").FullName;
    private PostgresTestDatabase? _database;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Certificates => Path.Combine(_directory, "certs");

    private string Data => Path.Combine(_directory, "data");

    public void Dispose()
    {
        // This hub's pool only: clearing every pool would close other tests' connections mid-test.
        using (var connection = new SqliteConnection(SqliteExchangeDbContext.ConnectionString(Path.Combine(Data, "exchange.db"))))
        {
            SqliteConnection.ClearPool(connection);
        }

        _database?.Dispose();
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Reads_answered_before_the_hub_was_killed_are_all_in_the_chain_once_it_has_started_again()
    {
        CreateDatabase();
        var port = FreePort();
        var address = new Uri($"https://127.0.0.1:{port}/");
        using (var hub = StartHubProcess(port))
        {
            try
            {
                await WaitUntilServingAsync(hub, port);
                using var garageChannel = Channel(address, Garage);
                using var lotusChannel = Channel(address, "group-lotus");
                var garage = new Records.RecordsClient(garageChannel);
                var lotus = new Records.RecordsClient(lotusChannel);
                foreach (var customer in new[] { "C001", "C002" })
                {
                    await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer(customer) }, cancellationToken: Ct);
                }

                await Task.WhenAll(Enumerable.Range(0, Reads).Select(i => lotus.GetCustomerAsync(
                    new GetCustomerRequest { Purpose = "marketing", OwnerParty = Garage, CustomerRef = i % 4 == 0 ? "C002" : "C001", Items = { "contact" } },
                    cancellationToken: Ct).ResponseAsync));

                // Every read was answered, so its entry is committed: read from the database by another connection.
                Assert.Equal(2 + Reads, await CountStoredEntriesAsync());
            }
            finally
            {
                hub.Kill(entireProcessTree: true);
                await hub.WaitForExitAsync(Ct);
            }
        }

        await using var restarted = await RestartAsync();
        using var adminChannel = Channel(restarted.Address, "admin");
        var log = new ProvisionLog.ProvisionLogClient(adminChannel);
        var first = await log.ListForCustomerAsync(new ListForCustomerRequest { OwnerParty = Garage, CustomerRef = "C001" }, cancellationToken: Ct);
        var second = await log.ListForCustomerAsync(new ListForCustomerRequest { OwnerParty = Garage, CustomerRef = "C002" }, cancellationToken: Ct);
        var verified = await log.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);
        Assert.Equal([ProvisionOutcome.Received, .. Enumerable.Repeat(ProvisionOutcome.Provided, Reads * 3 / 4)], first.Entries.Select(e => e.Outcome));
        Assert.Equal([ProvisionOutcome.Received, .. Enumerable.Repeat(ProvisionOutcome.Provided, Reads / 4)], second.Entries.Select(e => e.Outcome));
        Assert.True(verified.Intact, verified.Problem);
        Assert.Equal(2 + Reads, verified.EntriesChecked);
    }

    [Fact]
    public async Task Hub_killed_mid_load_keeps_every_answered_write_read_and_refusal_exactly_once_and_its_chain_verifies()
    {
        CreateDatabase();
        var port = FreePort();
        var address = new Uri($"https://127.0.0.1:{port}/");
        var subjects = new Dictionary<string, string>(StringComparer.Ordinal);
        var load = new Load();
        using (var hub = StartHubProcess(port))
        {
            try
            {
                await WaitUntilServingAsync(hub, port);
                using var garageChannel = Channel(address, Garage);
                using var lotusChannel = Channel(address, "group-lotus");
                using var vendorChannel = Channel(address, "vendor-broadleaf");
                var garage = new Records.RecordsClient(garageChannel);
                foreach (var chunk in Enumerable.Range(0, ReadableCustomers).Chunk(500))
                {
                    var setUp = new PutCustomersRequest { Purpose = "after-sales" };
                    setUp.Records.AddRange(chunk.Select(i => Sample.Customer($"R{i:D4}")));
                    foreach (var result in (await garage.PutCustomersAsync(setUp, cancellationToken: Ct)).Results)
                    {
                        subjects.Add(result.CustomerRef, result.SubjectId);
                    }
                }

                var workers = new List<Task>();
                workers.AddRange(Enumerable.Range(0, 6).Select(_ => load.RunAsync(() => load.ReadAsync(new Records.RecordsClient(lotusChannel)))));
                workers.AddRange(Enumerable.Range(0, 2).Select(_ => load.RunAsync(() => load.RefuseAsync(new Records.RecordsClient(vendorChannel)))));
                workers.AddRange(Enumerable.Range(0, 2).Select(_ => load.RunAsync(() => load.WriteAsync(garage))));
                await load.UntilAsync(() => load.Reads.Count >= 150 && load.Refusals.Count >= 20 && load.Batches.Count >= 4);

                hub.Kill(entireProcessTree: true);
                var inFlight = load.InFlight;
                await hub.WaitForExitAsync(Ct);
                await Task.WhenAll(workers);

                // Calls were under way when the hub died; else this test would prove only what the one above does.
                Assert.True(inFlight > 0, "no call was in flight when the hub was killed");
            }
            finally
            {
                if (!hub.HasExited)
                {
                    hub.Kill(entireProcessTree: true);
                }
            }
        }

        await using var restarted = await RestartAsync();
        var entries = await restarted.ReadAllAsync();
        var provided = entries.Where(e => e.Fact.Outcome == ProvisionOutcome.Provided).GroupBy(e => e.Fact.SubjectId!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var refused = entries.Where(e => e.Fact.Outcome == ProvisionOutcome.Refused).GroupBy(e => e.Fact.SubjectId!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var received = entries.Where(e => e.Fact.Outcome == ProvisionOutcome.Received).GroupBy(e => e.Fact.SubjectId!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        Assert.All(load.Reads, customer => Assert.Equal(1, provided.GetValueOrDefault(subjects[customer])));
        Assert.All(load.Refusals, customer => Assert.Equal(1, refused.GetValueOrDefault(subjects[customer])));
        Assert.All(load.Batches.SelectMany(b => b.Subjects), subject => Assert.Equal(1, received.GetValueOrDefault(subject)));
        // A call cut off by the kill may have committed before it could answer, but never twice.
        Assert.All(provided.Values.Concat(refused.Values).Concat(received.Values), count => Assert.Equal(1, count));
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));
        using var adminChannel = Channel(restarted.Address, "admin");
        var verified = await new ProvisionLog.ProvisionLogClient(adminChannel).VerifyAsync(new VerifyRequest(), cancellationToken: Ct);
        Assert.True(verified.Intact, verified.Problem);
        Assert.Equal(entries.Count, verified.EntriesChecked);
        using var garageAfter = Channel(restarted.Address, Garage);
        var owner = new Records.RecordsClient(garageAfter);
        foreach (var batch in load.Batches)
        {
            var written = await owner.GetCustomerAsync(new GetCustomerRequest { Purpose = "after-sales", OwnerParty = Garage, CustomerRef = batch.Refs[^1], Items = { "contact" } }, cancellationToken: Ct);
            Assert.Equal(batch.Refs[^1], written.Record.CustomerRef);
        }
    }

    // In the test rather than the constructor, so that a missing server skips the test.
    private void CreateDatabase()
    {
        if (provider == DatabaseProvider.Postgres)
        {
            PostgresTestDatabase.SkipUnlessAvailable();
            _database = new PostgresTestDatabase("crash");
        }
    }

    private IEnumerable<string> DatabaseSettings() => _database is null
        ? []
        : [$"--Exchange:Database:Provider={nameof(DatabaseProvider.Postgres)}", $"--Exchange:Database:ConnectionString={_database.ConnectionString}"];

    private Task<TestHub> RestartAsync() => TestHub.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Exchange:DataDirectory"] = Data,
        ["Exchange:Pki:DevelopmentDirectory"] = Certificates,
        ["Exchange:Database:Provider"] = provider.ToString(),
        ["Exchange:Database:ConnectionString"] = _database?.ConnectionString,
    });

    private Process StartHubProcess(int port)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            typeof(HubApplication).Assembly.Location,
            "--environment=Development",
            $"--Exchange:Listen=https://127.0.0.1:{port}",
            "--Exchange:PublicListen=https://127.0.0.1:0",
            $"--Exchange:DataDirectory={Data}",
            $"--Exchange:Pki:DevelopmentDirectory={Certificates}",
            "--Exchange:MaxConcurrentCallsPerParty=512",
        }.Concat(DatabaseSettings()))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilServingAsync(Process hub, int port)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(hub.HasExited, $"the hub exited with code {(hub.HasExited ? hub.ExitCode : 0)} before serving");
            if (File.Exists(Path.Combine(Certificates, "group-lotus.key")))
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port, Ct);
                    return;
                }
                catch (SocketException)
                {
                }
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException("the hub did not start serving within 60 seconds");
    }

    private GrpcChannel Channel(Uri address, string party) =>
        MutualTlsChannel.Create(address, PemFiles.LoadCertificateWithKey(Path.Combine(Certificates, party + ".crt"), Path.Combine(Certificates, party + ".key")), TrustAnchors);

    private X509Certificate2Collection TrustAnchors => PemFiles.LoadCertificates(Path.Combine(Certificates, "ca.crt"));

    private async Task<long> CountStoredEntriesAsync()
    {
        if (_database is not null)
        {
            await using var postgres = new NpgsqlConnection(_database.ConnectionString);
            await postgres.OpenAsync(Ct);
            await using var count = new NpgsqlCommand("SELECT count(*) FROM provision_log", postgres);
            return (long)(await count.ExecuteScalarAsync(Ct))!;
        }

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(Data, "exchange.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM provision_log";
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Calls issued until the hub dies, each kind naming its own customers, and what was answered.</summary>
    private sealed class Load
    {
        private int _nextRead = -1;
        private int _nextRefusal = ReadableCustomers;
        private int _nextBatch = -1;
        private int _inFlight;

        public ConcurrentBag<string> Reads { get; } = [];

        public ConcurrentBag<string> Refusals { get; } = [];

        public ConcurrentBag<Batch> Batches { get; } = [];

        public int InFlight => Volatile.Read(ref _inFlight);

        /// <summary>Runs <paramref name="call"/> again and again until a call fails because the hub is gone.</summary>
        public async Task RunAsync(Func<Task> call)
        {
            while (true)
            {
                Interlocked.Increment(ref _inFlight);
                try
                {
                    await call();
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled)
                {
                    return;
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }
            }
        }

        public async Task UntilAsync(Func<bool> enough)
        {
            var deadline = Stopwatch.StartNew();
            while (!enough())
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(120), "the load did not reach its mark within 120 seconds");
                await Task.Delay(10, Ct);
            }
        }

        public async Task ReadAsync(Records.RecordsClient lotus)
        {
            var customer = Customer(Interlocked.Increment(ref _nextRead));
            await lotus.GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = Garage, CustomerRef = customer, Items = { "contact" } }, cancellationToken: Ct);
            Reads.Add(customer);
        }

        public async Task RefuseAsync(Records.RecordsClient vendor)
        {
            // Counting down from the other end, so that no customer is both read and refused.
            var customer = Customer(Interlocked.Decrement(ref _nextRefusal));
            try
            {
                await vendor.GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = Garage, CustomerRef = customer, Items = { "contact" } }, cancellationToken: Ct);
                Assert.Fail("the vendor's marketing read was answered");
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.PermissionDenied)
            {
                Refusals.Add(customer);
            }
        }

        public async Task WriteAsync(Records.RecordsClient garage)
        {
            var batch = Interlocked.Increment(ref _nextBatch);
            var request = new PutCustomersRequest { Purpose = "after-sales" };
            request.Records.AddRange(Enumerable.Range(0, BatchSize).Select(i => Sample.Customer($"W{batch:D3}-{i:D2}")));
            var response = await garage.PutCustomersAsync(request, cancellationToken: Ct);
            Batches.Add(new Batch(response.Results.Select(r => r.CustomerRef).ToArray(), response.Results.Select(r => r.SubjectId).ToArray()));
        }

        private static string Customer(int index) =>
            index is >= 0 and < ReadableCustomers ? $"R{index:D4}" : throw new InvalidOperationException("the load ran out of customers before the hub was killed");
    }

    /// <summary>An answered batch write: its customers and their subject IDs.</summary>
    private sealed record Batch(string[] Refs, string[] Subjects);
}

/// <summary>The hub killed on SQLite.</summary>
public sealed class ProvisionLogCrashOnSqliteTests() : ProvisionLogCrashTests(DatabaseProvider.Sqlite);

/// <summary>The hub killed on PostgreSQL.</summary>
public sealed class ProvisionLogCrashOnPostgresTests() : ProvisionLogCrashTests(DatabaseProvider.Postgres);
