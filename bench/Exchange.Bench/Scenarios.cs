using System.Diagnostics;
using Exchange.Contracts.V1;
using Google.Protobuf;

namespace Exchange.Bench;

/// <summary>The three call kinds measured, each with small (16-byte payload) messages.</summary>
internal static class Scenarios
{
    // Diagnostics/PingStream allows at most 100,000 replies per call; a stream that ends is followed by another.
    private const int RepliesPerStream = 100_000;
    private static readonly ByteString Payload = ByteString.CopyFrom(new byte[16]);
    private static readonly PingRequest SmallPing = new() { Payload = Payload };
    private static readonly PingStreamRequest LongStream = new() { Count = RepliesPerStream, IntervalMs = 0, Payload = Payload };

    /// <summary><c>--concurrency</c> callers, each making one Ping after another, spread over the channels.</summary>
    public static Task<ScenarioResult> UnaryAsync(Diagnostics.DiagnosticsClient[] clients, BenchOptions options)
    {
        var latencies = new LatencyHistogram();
        return Measurement.RunAsync("unary Ping", "call", options.Concurrency, options.FirstWarmup, options.Window, async (worker, run) =>
        {
            var client = clients[worker % clients.Length];
            while (!run.IsStopping)
            {
                var started = Stopwatch.GetTimestamp();
                await client.PingAsync(SmallPing, cancellationToken: run.Abort).ConfigureAwait(false);
                if (run.IsMeasuring)
                {
                    latencies.Record(started);
                }

                run.Add(worker);
            }
        }, latencies);
    }

    /// <summary>
    /// Pings offered at <c>--read-rate</c> per second through <see cref="OpenLoop"/> on the given
    /// connections: the transport alone (TLS, HTTP/2, gRPC, client and server on the same cores) at
    /// the rate the read latency target is set for, which is the floor under that latency.
    /// <paramref name="target"/> names the server in the report when it is not the hub.
    /// </summary>
    public static Task<ScenarioResult> UnaryAtFixedRateAsync(Diagnostics.DiagnosticsClient[] clients, BenchOptions options, string target = "") =>
        OpenLoop.RunAsync(FormattableString.Invariant($"unary Ping{target} offered at {options.ReadRate:N0}/s"), "call", options.ReadRate, options.NextWarmup, options.Window, async (number, run) =>
            await clients[number % clients.Length].PingAsync(SmallPing, cancellationToken: run.Abort).ConfigureAwait(false));

    /// <summary><c>--streams</c> server streams of PingStream (interval 0), each reply counted as it is read.</summary>
    public static Task<ScenarioResult> ServerStreamingAsync(Diagnostics.DiagnosticsClient[] clients, BenchOptions options) =>
        Measurement.RunAsync("server-streamed PingStream", "message", options.Streams, options.NextWarmup, options.Window, async (worker, run) =>
        {
            var client = clients[worker % clients.Length];
            while (!run.IsStopping)
            {
                // A stream open when the window closes is read to its end (under a second) rather than
                // cancelled: a cancel racing the hub's next write can make grpc-dotnet log an error there.
                using var call = client.PingStream(LongStream, cancellationToken: run.Abort);
                while (await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
                {
                    if (!run.IsStopping)
                    {
                        run.Add(worker);
                    }
                }
            }
        });

    /// <summary><c>--duplex-streams</c> PingEcho streams, each keeping <c>--in-flight</c> pings in flight.</summary>
    public static Task<ScenarioResult> DuplexAsync(Diagnostics.DiagnosticsClient[] clients, BenchOptions options) =>
        Measurement.RunAsync("duplex PingEcho", "message", options.DuplexStreams, options.NextWarmup, options.Window, async (worker, run) =>
        {
            var client = clients[worker % clients.Length];
            using var call = client.PingEcho(cancellationToken: run.Abort);
            using var window = new SemaphoreSlim(options.InFlight, options.InFlight);
            var replies = Task.Run(async () =>
            {
                while (await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
                {
                    run.Add(worker);
                    window.Release();
                }
            });
            while (!run.IsStopping)
            {
                await window.WaitAsync(run.Abort).ConfigureAwait(false);
                await call.RequestStream.WriteAsync(SmallPing, run.Abort).ConfigureAwait(false);
            }

            // The hub answers the pings still in flight and then ends the call.
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            await replies.ConfigureAwait(false);
        });
}
