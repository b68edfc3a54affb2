using System.Diagnostics;
using System.Globalization;
using Exchange.Contracts.V1;
using Exchange.Host;
using Exchange.Protocol.Client;
using Exchange.Protocol.Pki;
using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

// Every loop is bounded by time and talks to 127.0.0.1 only.
var settings = BenchSettings.Parse(args);
var directory = Path.Combine(Path.GetTempPath(), "exchange-bench-" + Guid.NewGuid().ToString("N")[..8]);
var app = HubApplication.Create([], builder =>
{
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Exchange:Listen"] = "https://127.0.0.1:0",
        ["Exchange:PublicListen"] = "https://127.0.0.1:0",
        ["Exchange:Pki:DevelopmentDirectory"] = Path.Combine(directory, "certs"),
        ["Exchange:DataDirectory"] = Path.Combine(directory, "data"),
    });
    builder.Logging.ClearProviders();
    builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
});
await app.StartAsync();
try
{
    var address = HubApplication.GetListeningAddress(app);
    var certs = Path.Combine(directory, "certs");
    using var certificate = PemFiles.LoadCertificateWithKey(Path.Combine(certs, "garage-kaminoyama.crt"), Path.Combine(certs, "garage-kaminoyama.key"));
    var anchors = PemFiles.LoadCertificates(Path.Combine(certs, "ca.crt"));
    var channels = Enumerable.Range(0, settings.Connections).Select(_ => MutualTlsChannel.Create(address, certificate, anchors)).ToArray();
    var clients = channels.Select(c => new Diagnostics.DiagnosticsClient(c)).ToArray();

    Out($"Exchange bench: hub {HubApplication.Version} on {address} (mTLS, TLS 1.3, HTTP/2), client in the same process");
    Out($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}");
    Out($"settings: {settings.Seconds}s per run, {settings.Concurrency} unary callers, {settings.Streams} streams, {settings.Connections} connections");

    var unary = await Bench.UnaryAsync(clients, settings);
    Out($"unary: {unary.PerSecond:N0} calls/s");
    var streamed = await Bench.ServerStreamingAsync(clients, settings);
    Out($"server streaming: {streamed:N0} messages/s");
    var duplex = await Bench.DuplexAsync(clients, settings);
    Out($"duplex: {duplex:N0} messages/s");
    var process = Process.GetCurrentProcess();

    Console.WriteLine();
    Console.WriteLine("| figure | value | target |");
    Console.WriteLine("|---|---:|---|");
    Out($"| small unary calls/s | {unary.PerSecond:N0} | >= 40,000 {(unary.PerSecond >= 40_000 ? "PASS" : "BELOW")} |");
    Out($"| unary latency p50 / p99 | {unary.P50:N2} ms / {unary.P99:N2} ms | |");
    Out($"| server-streamed small messages/s | {streamed:N0} | >= 300,000 {(streamed >= 300_000 ? "PASS" : "BELOW")} |");
    Out($"| duplex echoed messages/s | {duplex:N0} | |");
    Out($"| peak working set | {process.PeakWorkingSet64 / 1048576.0:N0} MiB | |");
    Out($"| GC heap after runs | {GC.GetTotalMemory(false) / 1048576.0:N0} MiB | |");
    Console.WriteLine();
    Out($"unary_calls_per_second: {unary.PerSecond:F0}");
    Out($"unary_latency_p99_ms: {unary.P99:F2}");
    Out($"streamed_messages_per_second: {streamed:F0}");
    Out($"duplex_messages_per_second: {duplex:F0}");
    foreach (var channel in channels)
    {
        channel.Dispose();
    }
}
finally
{
    await app.StopAsync();
    await app.DisposeAsync();
    Directory.Delete(directory, recursive: true);
}

internal sealed record BenchSettings(int Seconds, int WarmupSeconds, int Concurrency, int Streams, int Connections)
{
    public static BenchSettings Parse(string[] args)
    {
        int Get(string name, int fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
        }

        return new BenchSettings(Get("--seconds", 10), Get("--warmup", 2), Get("--concurrency", 64), Get("--streams", 4), Get("--connections", 4));
    }
}

internal static class Bench
{
    private static readonly PingRequest SmallPing = new() { Payload = ByteString.CopyFrom(new byte[16]) };

    public static async Task<(double PerSecond, double P50, double P99)> UnaryAsync(Diagnostics.DiagnosticsClient[] clients, BenchSettings settings)
    {
        await RunUnaryAsync(clients, settings.Concurrency, TimeSpan.FromSeconds(settings.WarmupSeconds));
        var (count, elapsed, latencies) = await RunUnaryAsync(clients, settings.Concurrency, TimeSpan.FromSeconds(settings.Seconds));
        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? 0 : latencies[(int)Math.Min(latencies.Count - 1, p * latencies.Count)] * 1000.0 / Stopwatch.Frequency;
        return (count / elapsed.TotalSeconds, Percentile(0.50), Percentile(0.99));
    }

    public static async Task<double> ServerStreamingAsync(Diagnostics.DiagnosticsClient[] clients, BenchSettings settings)
    {
        await RunStreamsAsync(clients, settings.Streams, TimeSpan.FromSeconds(settings.WarmupSeconds));
        var (count, elapsed) = await RunStreamsAsync(clients, settings.Streams, TimeSpan.FromSeconds(settings.Seconds));
        return count / elapsed.TotalSeconds;
    }

    public static async Task<double> DuplexAsync(Diagnostics.DiagnosticsClient[] clients, BenchSettings settings)
    {
        var duration = TimeSpan.FromSeconds(settings.Seconds);
        var started = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, settings.Streams).Select(async i =>
        {
            using var call = clients[i % clients.Length].PingEcho();
            long received = 0;
            const int Window = 64;
            var reader = Task.Run(async () =>
            {
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    Interlocked.Increment(ref received);
                }
            });
            long sent = 0;
            while (started.Elapsed < duration)
            {
                if (sent - Interlocked.Read(ref received) < Window)
                {
                    await call.RequestStream.WriteAsync(SmallPing);
                    sent++;
                }
                else
                {
                    await Task.Yield();
                }
            }

            await call.RequestStream.CompleteAsync();
            await reader;
            return received;
        }));
        return counts.Sum() / started.Elapsed.TotalSeconds;
    }

    private static async Task<(long Count, TimeSpan Elapsed, List<long> Latencies)> RunUnaryAsync(Diagnostics.DiagnosticsClient[] clients, int concurrency, TimeSpan duration)
    {
        var started = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async i =>
        {
            var client = clients[i % clients.Length];
            var latencies = new List<long>(100_000);
            while (started.Elapsed < duration)
            {
                var t0 = Stopwatch.GetTimestamp();
                await client.PingAsync(SmallPing);
                latencies.Add(Stopwatch.GetTimestamp() - t0);
            }

            return latencies;
        }));
        var elapsed = started.Elapsed;
        var all = results.SelectMany(r => r).ToList();
        return (all.Count, elapsed, all);
    }

    private static async Task<(long Count, TimeSpan Elapsed)> RunStreamsAsync(Diagnostics.DiagnosticsClient[] clients, int streams, TimeSpan duration)
    {
        using var stop = new CancellationTokenSource(duration);
        var started = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, streams).Select(async i =>
        {
            long count = 0;
            using var call = clients[i % clients.Length].PingStream(new PingStreamRequest { Count = 100_000, Payload = ByteString.CopyFrom(new byte[16]) }, cancellationToken: stop.Token);
            try
            {
                while (true)
                {
                    while (await call.ResponseStream.MoveNext(stop.Token))
                    {
                        count++;
                    }

                    break;
                }
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // The measuring window closed mid-stream.
            }

            return count;
        }));
        return (counts.Sum(), started.Elapsed);
    }
}

internal static partial class Program
{
    private static void Out(FormattableString line) => Console.WriteLine(FormattableString.Invariant(line));
}
