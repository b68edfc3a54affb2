using System.Diagnostics;
using Exchange.Contracts.V1;
using Exchange.Host;
using Exchange.Protocol.Client;
using Exchange.Protocol.Pki;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Exchange.Bench;

/// <summary>
/// <c>--instances N</c>: the provision log's append rate with N hub instances on one PostgreSQL
/// database, all in this process. Purpose-checked reads (each entry through its instance's
/// group-commit writer) and batch writes (entries in the batch's transaction) run first through one
/// instance, then spread over all N, so both figures come from the same run; the chain is verified
/// at the end. The instances share the machine's cores with the clients and the server, so this
/// measures what the one chain lock costs when instances contend for it, not how far they scale.
/// </summary>
internal static class SeveralInstancesRun
{
    private const int Customers = 2_000;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var server = Environment.GetEnvironmentVariable("EXCHANGE_BENCH_POSTGRES") is { Length: > 0 } bench ? bench : Environment.GetEnvironmentVariable("EXCHANGE_TEST_POSTGRES");
        if (string.IsNullOrEmpty(server))
        {
            await Console.Error.WriteLineAsync("--instances needs a PostgreSQL server: EXCHANGE_BENCH_POSTGRES or EXCHANGE_TEST_POSTGRES (e.g. .ci/with-postgres make bench BENCH_ARGS=\"--instances 2\").").ConfigureAwait(false);
            return 2;
        }

        var directory = Directory.CreateTempSubdirectory("exchange-bench-instances-").FullName;
        var database = "exchange_bench_instances_" + Guid.NewGuid().ToString("N")[..12];
        await ServerAsync(server, $"CREATE DATABASE {database}").ConfigureAwait(false);
        var hubs = new List<WebApplication>();
        var channels = new List<GrpcChannel>();
        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
            for (var i = 0; i < options.Instances; i++)
            {
                hubs.Add(await StartHubAsync(directory, connectionString).ConfigureAwait(false));
            }

            var addresses = hubs.Select(HubApplication.GetListeningAddress).ToArray();
            var anchors = PemFiles.LoadCertificates(Path.Combine(directory, "certs", "ca.crt"));
            GrpcChannel Channel(string party, Uri address)
            {
                var channel = MutualTlsChannel.Create(address, PemFiles.LoadCertificateWithKey(Path.Combine(directory, "certs", party + ".crt"), Path.Combine(directory, "certs", party + ".key")), anchors);
                channels.Add(channel);
                return channel;
            }

            Report.Line($"Exchange bench --instances {options.Instances}: hub {HubApplication.Version}, {options.Instances} instances in this process on one PostgreSQL database ({new NpgsqlConnectionStringBuilder(server).Host}), {Environment.ProcessorCount} cores ({Report.CpuModel()})");
            Report.Line($"settings: {options.Readers} readers as {BenchHub.GroupBody}, then with {options.Writers} writers x batches of {options.Batch} small records as {BenchHub.Garage}; warm-up {options.FirstWarmup.TotalSeconds} s then {options.NextWarmup.TotalSeconds} s, {options.Seconds} s measured each; an append is one provision-log entry");
            var garage = new Records.RecordsClient(Channel(BenchHub.Garage, addresses[0]));
            for (var start = 0; start < Customers; start += 500)
            {
                var request = new PutCustomersRequest { Purpose = "after-sales" };
                request.Records.AddRange(Enumerable.Range(start, 500).Select(i => Customer($"R{i:D5}")));
                await garage.PutCustomersAsync(request).ConfigureAwait(false);
            }

            var one = Report.Scenario(await AppendAsync(options, "one instance, reads only", [addresses[0]], Channel, writers: 0, "A", options.FirstWarmup).ConfigureAwait(false));
            var all = Report.Scenario(await AppendAsync(options, $"{options.Instances} instances, reads only", addresses, Channel, writers: 0, "B", options.NextWarmup).ConfigureAwait(false));
            var mixed = Report.Scenario(await AppendAsync(options, $"{options.Instances} instances, reads and batch writes", addresses, Channel, options.Writers, "C", options.NextWarmup).ConfigureAwait(false));

            var started = Stopwatch.GetTimestamp();
            var verified = await new ProvisionLog.ProvisionLogClient(Channel("admin", addresses[^1])).VerifyAsync(new VerifyRequest()).ConfigureAwait(false);
            Report.Line($"  Verify: {(verified.Intact ? "intact" : "BROKEN: " + verified.Problem)}, {verified.EntriesChecked:N0} entries in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
            Report.Line($"instances.1.entries_per_s: {one.PerSecond:F0}");
            Report.Line($"instances.{options.Instances}.entries_per_s: {all.PerSecond:F0}");
            Report.Line($"instances.{options.Instances}.mixed.entries_per_s: {mixed.PerSecond:F0}");
            return verified.Intact ? 0 : 1;
        }
        finally
        {
            channels.ForEach(c => c.Dispose());
            foreach (var hub in hubs)
            {
                await hub.StopAsync().ConfigureAwait(false);
                await hub.DisposeAsync().ConfigureAwait(false);
            }

            NpgsqlConnection.ClearAllPools();
            await ServerAsync(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)").ConfigureAwait(false);
            Directory.Delete(directory, recursive: true);
        }
    }

    // Readers and writers spread round-robin over the instances at addresses; an operation is one entry appended.
    private static async Task<ScenarioResult> AppendAsync(BenchOptions options, string name, Uri[] addresses, Func<string, Uri, GrpcChannel> channel, int writers, string prefix, TimeSpan warmup)
    {
        var readers = addresses.Select(a => new Records.RecordsClient(channel(BenchHub.GroupBody, a))).ToArray();
        var garages = addresses.Select(a => new Records.RecordsClient(channel(BenchHub.Garage, a))).ToArray();
        long reads = 0, records = 0;
        var result = await Measurement.RunAsync($"chain appends through {name}", "append", writers + options.Readers, warmup, options.Window, async (worker, run) =>
        {
            var random = new Random(worker);
            for (var batch = 0; !run.IsStopping; batch++)
            {
                if (worker < writers)
                {
                    var request = new PutCustomersRequest { Purpose = "after-sales" };
                    request.Records.AddRange(Enumerable.Range(0, options.Batch).Select(i => Customer($"{prefix}{worker}-{batch:D6}-{i:D4}")));
                    var written = (await garages[worker % garages.Length].PutCustomersAsync(request, cancellationToken: run.Abort).ConfigureAwait(false)).Results.Count;
                    Count(run, ref records, written);
                    run.Add(worker, written);
                }
                else
                {
                    var read = new GetCustomerRequest { Purpose = "marketing", OwnerParty = BenchHub.Garage, CustomerRef = $"R{random.Next(Customers):D5}", Items = { "contact" } };
                    await readers[worker % readers.Length].GetCustomerAsync(read, cancellationToken: run.Abort).ConfigureAwait(false);
                    Count(run, ref reads, 1);
                    run.Add(worker);
                }
            }
        }).ConfigureAwait(false);
        return result with { Detail = FormattableString.Invariant($"    of which reads {reads / result.Elapsed.TotalSeconds:N0}/s (one entry each, group-committed by their instance) and records written {records / result.Elapsed.TotalSeconds:N0}/s (in their batch's transaction)") };
    }

    private static void Count(Measurement run, ref long counter, long count)
    {
        if (run.IsMeasuring)
        {
            Interlocked.Add(ref counter, count);
        }
    }

    private static async Task<WebApplication> StartHubAsync(string directory, string connectionString)
    {
        // Development: the development PKI and declaration operator, created by the first instance and shared by the others with the keys.
        var app = HubApplication.Create(["--environment", "Development"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Exchange:Listen"] = "https://127.0.0.1:0",
                ["Exchange:PublicListen"] = "https://127.0.0.1:0",
                ["Exchange:Pki:DevelopmentDirectory"] = Path.Combine(directory, "certs"),
                ["Exchange:DataDirectory"] = Path.Combine(directory, "data"),
                ["Exchange:Database:Provider"] = "Postgres",
                ["Exchange:Database:ConnectionString"] = connectionString,
                ["Exchange:MaxConcurrentCallsPerParty"] = "512",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        });
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }

    private static async Task ServerAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static CustomerRecord Customer(string customerRef) => new()
    {
        CustomerRef = customerRef,
        Contact = new CustomerContact { Name = "佐藤 花子", Phone = "023-600-0000", Email = customerRef + "@example.jp", Address = new PostalAddress { PostalCode = "990-0001", Prefecture = "山形県", Locality = "山形市" } },
    };
}
