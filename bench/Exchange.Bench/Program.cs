using System.Runtime;
using System.Runtime.InteropServices;
using Exchange.Bench;
using Exchange.Contracts.V1;
using Exchange.Host;

// `make bench`: a real hub in this process on 127.0.0.1, called over mutual TLS on loopback only.
// Every scenario is bounded in time (warm-up + --seconds) and stops by itself.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + BenchOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

await using var hub = await BenchHub.StartAsync();
var channels = Enumerable.Range(0, options.Connections).Select(_ => hub.CreateChannel()).ToArray();
try
{
    var clients = channels.Select(c => new Diagnostics.DiagnosticsClient(c)).ToArray();
    Report.Line($"Exchange bench: hub {HubApplication.Version} at {hub.Address} (HTTP/2 over mutual TLS on loopback), client in the same process");
    Report.Line($"machine: {Environment.ProcessorCount} cores ({Report.CpuModel()}), {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC ({GCSettings.LatencyMode})");
    Report.Line($"settings: warm-up {options.FirstWarmup.TotalSeconds} s (then {options.NextWarmup.TotalSeconds} s) + {options.Seconds} s measured per scenario; {options.Concurrency} unary callers over {options.Connections} connections; {options.Streams} server streams; {(options.DuplexStreams > 0 ? $"{options.DuplexStreams} duplex streams x {options.InFlight} in flight" : "no duplex")}; about {options.TotalSeconds} s in all");

    // Opens each connection (TLS handshake) before anything is timed.
    foreach (var client in clients)
    {
        await client.PingAsync(new PingRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
    }

    var results = new List<ScenarioResult>();
    using (var memory = MemorySampler.Start())
    {
        results.Add(Report.Scenario(await Scenarios.UnaryAsync(clients, options)));
        results.Add(Report.Scenario(await Scenarios.ServerStreamingAsync(clients, options)));
        if (options.DuplexStreams > 0)
        {
            results.Add(Report.Scenario(await Scenarios.DuplexAsync(clients, options)));
        }

        Report.Summary(results, memory.PeakGcHeapBytes);
    }
}
finally
{
    foreach (var channel in channels)
    {
        channel.Dispose();
    }
}

return 0;
