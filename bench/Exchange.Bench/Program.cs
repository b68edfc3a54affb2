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

if (options.Instances > 1)
{
    return await SeveralInstancesRun.RunAsync(options);
}

if (options.Telemetry)
{
    return await TelemetryRun.RunAsync(options);
}

await using var hub = await BenchHub.StartAsync(options);
var channels = Enumerable.Range(0, options.Connections).Select(_ => hub.CreateChannel()).ToArray();
var readerChannels = Enumerable.Range(0, options.Connections).Select(_ => hub.CreateChannel(BenchHub.GroupBody)).ToArray();
var clients = channels.Select(c => new Diagnostics.DiagnosticsClient(c)).ToArray();
Report.Line($"Exchange bench: hub {HubApplication.Version} at {hub.Address} (HTTP/2 over mutual TLS on loopback), client in the same process");
Report.Line($"machine: {Environment.ProcessorCount} cores ({Report.CpuModel()}), {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC ({GCSettings.LatencyMode})");
if (!options.Scale)
{
    Report.Line($"settings: warm-up {options.FirstWarmup.TotalSeconds} s before a scenario of code not run yet, {options.NextWarmup.TotalSeconds} s before the others, + {options.Seconds} s measured per scenario; about {options.TotalSeconds} s in all");
    if (options.Transport)
    {
        Report.Line($"  transport: {options.Concurrency} unary callers over {options.Connections} connections; {options.Streams} server streams; {(options.DuplexStreams > 0 ? $"{options.DuplexStreams} duplex streams x {options.InFlight} in flight" : "no duplex")}");
    }

    if (options.Records)
    {
        Report.Line($"  records: {options.Writers} writers x batches of {options.Batch} as {BenchHub.Garage}; {options.Readers} readers as {BenchHub.GroupBody} over {options.Connections} connections");
    }
}

Report.Line($"database: {(hub.Database.Provider == BenchProvider.Postgres ? $"PostgreSQL, database {hub.Database.Name} (dropped at the end)" : "SQLite, a file in a temporary folder")}");

// Opens each connection (TLS handshake) before anything is timed.
foreach (var channel in channels.Concat(readerChannels))
{
    await new Diagnostics.DiagnosticsClient(channel).PingAsync(new PingRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
}

if (options.Scale)
{
    await ScaleRun.RunAsync(hub, options);
    return 0;
}

using var memory = MemorySampler.Start();
ScenarioResult? unary = null, streamed = null, duplex = null, writes = null, synced = null, reads = null, fixedRate = null, fixedRatePings = null, barePings = null;
StatisticsRun? statistics = null;
FloorResult? floor = null;
ScenarioResult? delivery = null;
IdleSubscriptionsRun? idle = null;
RecallRun? recall = null;
SubjectsRun? subjects = null;
(LatencyHistogram Latency, long Entries)? personReport = null;
if (options.Transport)
{
    unary = Report.Scenario(await Scenarios.UnaryAsync(clients, options));
    streamed = Report.Scenario(await Scenarios.ServerStreamingAsync(clients, options));
    if (options.DuplexStreams > 0)
    {
        duplex = Report.Scenario(await Scenarios.DuplexAsync(clients, options));
    }
}

if (options.Records)
{
    var countsBefore = await hub.Database.CountRowsAsync();
    var (writeResult, perWriter) = await RecordScenarios.BatchWritesAsync(channels.Select(c => new Records.RecordsClient(c)).ToArray(), options);
    writes = Report.Scenario(writeResult);
    floor = Report.Floor(await WriteFloor.MeasureAsync(hub, countsBefore, options.Batch, WriteFloor.DefaultCustomers));
    synced = Report.Scenario(await RecordScenarios.SyncWritesAsync(channels.Select(c => new Records.RecordsClient(c)).ToArray(), options));
    var readers = readerChannels.Select(c => new Records.RecordsClient(c)).ToArray();
    statistics = Report.Statistics(await RecordScenarios.StatisticsAsync(readers[0], CancellationToken.None));
    reads = Report.Scenario(await RecordScenarios.PurposeCheckedReadsAsync(readers, options, perWriter));
    Report.Scenario(await SearchScenario.RunAsync(readers, options));
    if (options.ReadRate > 0)
    {
        fixedRate = Report.Scenario(await RecordScenarios.ReadsAtFixedRateAsync(readers, options, perWriter));
        fixedRatePings = Report.Scenario(await Scenarios.UnaryAtFixedRateAsync(readerChannels.Select(c => new Diagnostics.DiagnosticsClient(c)).ToArray(), options));
        await using var bare = await BareServer.StartAsync(hub);
        var bareClients = Enumerable.Range(0, options.Connections).Select(_ => new Diagnostics.DiagnosticsClient(hub.CreateChannel(BenchHub.GroupBody, bare.Address))).ToArray();
        barePings = Report.Scenario(await Scenarios.UnaryAtFixedRateAsync(bareClients, options, " to a bare grpc-dotnet server"));
    }
}

if (options.Feed)
{
    delivery = Report.Scenario(await FeedScenarios.DeliveryAsync(hub, options));
    idle = Report.Idle(await FeedScenarios.IdleAsync(hub));
}

if (options.Recall)
{
    recall = Report.Recall(await RecallScenario.RunAsync(hub, options.RecallVehicles));
}

if (options.Subjects)
{
    subjects = Report.Subjects(await SubjectsScenario.RunAsync(hub, options));
}

if (options.Log)
{
    var (log, inclusion, consistency) = await TransparencyScenario.RunAsync(hub, options);
    Report.Scenario(inclusion);
    Report.Scenario(consistency);
    Report.Transparency(log);
    personReport = Report.PersonReport(await SubjectsScenario.ReportsAsync(hub, options.LogEntries), options.LogEntries);
}

Report.Summary(new BenchFigures(unary, streamed, duplex, writes, synced, reads, fixedRate, fixedRatePings, barePings, options.ReadRate, statistics, floor) { FeedDelivery = delivery, IdleSubscriptions = idle, Recall = recall, Subjects = subjects, PersonReport = personReport }, memory.PeakGcHeapBytes);

return 0;
