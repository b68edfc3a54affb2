using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Protocol.Client;
using Exchange.Protocol.Pki;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// The hub as its own process, killed without warning (SIGKILL) right after answering reads: every
/// answered read's entry was committed in the database before its answer, so the hub started again
/// has every one of them in a chain that verifies.
/// </summary>
public sealed class ProvisionLogCrashTests : IDisposable
{
    private const int Reads = 40;
    private readonly string _directory = Directory.CreateTempSubdirectory("exchange-crash-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Certificates => Path.Combine(_directory, "certs");

    private string Data => Path.Combine(_directory, "data");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Reads_answered_before_the_hub_was_killed_are_all_in_the_chain_once_it_has_started_again()
    {
        var port = FreePort();
        var address = new Uri($"https://127.0.0.1:{port}/");
        using (var hub = StartHubProcess(port))
        {
            try
            {
                await WaitUntilServingAsync(hub, port);
                var anchors = PemFiles.LoadCertificates(Path.Combine(Certificates, "ca.crt"));
                using var garageChannel = Channel(address, "garage-kaminoyama", anchors);
                using var lotusChannel = Channel(address, "group-lotus", anchors);
                var garage = new Records.RecordsClient(garageChannel);
                var lotus = new Records.RecordsClient(lotusChannel);
                foreach (var customer in new[] { "C001", "C002" })
                {
                    await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer(customer) }, cancellationToken: Ct);
                }

                await Task.WhenAll(Enumerable.Range(0, Reads).Select(i => lotus.GetCustomerAsync(
                    new GetCustomerRequest { Purpose = "marketing", OwnerParty = "garage-kaminoyama", CustomerRef = i % 4 == 0 ? "C002" : "C001", Items = { "contact" } },
                    cancellationToken: Ct).ResponseAsync));

                // Every read was answered, so its entry is committed: read from the file by another connection.
                Assert.Equal(2 + Reads, await CountStoredEntriesAsync());
            }
            finally
            {
                hub.Kill(entireProcessTree: true);
                await hub.WaitForExitAsync(Ct);
            }
        }

        await using var restarted = await TestHub.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Exchange:DataDirectory"] = Data,
            ["Exchange:Pki:DevelopmentDirectory"] = Certificates,
        });
        using var adminChannel = Channel(restarted.Address, "admin", PemFiles.LoadCertificates(Path.Combine(Certificates, "ca.crt")));
        var log = new ProvisionLog.ProvisionLogClient(adminChannel);
        var first = await log.ListForCustomerAsync(new ListForCustomerRequest { OwnerParty = "garage-kaminoyama", CustomerRef = "C001" }, cancellationToken: Ct);
        var second = await log.ListForCustomerAsync(new ListForCustomerRequest { OwnerParty = "garage-kaminoyama", CustomerRef = "C002" }, cancellationToken: Ct);
        var verified = await log.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);
        Assert.Equal([ProvisionOutcome.Received, .. Enumerable.Repeat(ProvisionOutcome.Provided, Reads * 3 / 4)], first.Entries.Select(e => e.Outcome));
        Assert.Equal([ProvisionOutcome.Received, .. Enumerable.Repeat(ProvisionOutcome.Provided, Reads / 4)], second.Entries.Select(e => e.Outcome));
        Assert.True(verified.Intact, verified.Problem);
        Assert.Equal(2 + Reads, verified.EntriesChecked);
    }

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
        })
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

    private GrpcChannel Channel(Uri address, string party, System.Security.Cryptography.X509Certificates.X509Certificate2Collection anchors) =>
        MutualTlsChannel.Create(address, PemFiles.LoadCertificateWithKey(Path.Combine(Certificates, party + ".crt"), Path.Combine(Certificates, party + ".key")), anchors);

    private async Task<long> CountStoredEntriesAsync()
    {
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
}
