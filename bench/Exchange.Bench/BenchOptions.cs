using System.Globalization;

namespace Exchange.Bench;

/// <summary>The bench's command line: <c>make bench BENCH_ARGS="--seconds 10 --concurrency 64"</c>.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        Usage: make bench BENCH_ARGS="[options]"
          --seconds N         measured seconds per scenario (default 10)
          --warmup N          warm-up seconds before each scenario whose code has not run yet: the
                              first Ping one, the writes, the first reads (default 15; at most 5
                              before the others): the JIT needs ~10 s of load on 2 cores to optimise
          --concurrency N     concurrent unary callers (default 64)
          --connections N     HTTP/2 connections (channels) the callers share (default 2)
          --streams N         concurrent server streams (default 4)
          --duplex-streams N  concurrent duplex streams, 0 to skip (default 4)
          --in-flight N       duplex pings in flight per stream (default 256)
          --writers N         concurrent batch writers of customer records (default 2)
          --batch N           records per PutCustomers batch, 1 to 1000 (default 500)
          --readers N         concurrent purpose-checked single-record readers, each reading
                              flat out (default 128: enough to keep the log's groups full)
          --read-rate N       reads/s offered in the fixed-rate read scenario, and pings/s to the hub
                              and to a bare grpc-dotnet server after it: the CPU per call of the
                              three gives the calls' floors; 0 to skip them (default 5000, below
                              what 2 cores serve, so queueing does not inflate the CPU per call)
          --only WHAT         transport (Ping calls), records (writes and reads), feed (change-feed
                              deliveries to 100 subscriptions, memory of 1,000 idle ones), recall
                              (a campaign matched against --recall-vehicles, its notices delivered),
                              subjects (an incident's scope over --incident-entries, a disposal
                              of --disposal-records) or log (inclusion and consistency proofs
                              served, checkpoint and cosignature latency at --log-entries); all
                              when absent; or telemetry: purpose-checked reads at --read-rate
                              against hubs with telemetry off and on (Prometheus scraped every
                              second) in the order off, on, on, off, and the CPU per read of each
          --log-entries N     provision-log entries the log scenario fills the log to, through the
                              store, before it measures (default 10000000: about ten minutes to fill)
          --recall-vehicles N vehicles across 1,000 garages, loaded through the store, that a new
                              recall campaign is matched against (default 1000000; minutes to load)
          --incident-entries N provision-log entries one party received, appended through the store,
                              that an incident's scope reads (default 1000000)
          --disposal-records N expired customer records, loaded through the store, that a retention
                              run disposes of (default 1000000)
          --provider NAME     sqlite (default: a file in a temporary folder) or postgres: a database
                              of its own, created and dropped, on the server --postgres names
          --postgres CONN     the PostgreSQL server (any database; the user may create databases);
                              default $EXCHANGE_BENCH_POSTGRES, else $EXCHANGE_TEST_POSTGRES; `make
                              bench` starts a throwaway server (.ci/with-postgres) when none is set
          --scale             instead of the scenarios above: grow a hub to --scale-customers
                              customers in three steps (a tenth, three tenths, all), its log to
                              about six entries per customer by searches and reads, and print at
                              each step disk per log entry, WAL and memory under load and idle,
                              search, read and Verify costs (1,000,000: over half an hour on 2 cores)
          --scale-customers N customers at the last step of --scale (default 1000000)
          --searchers N       concurrent searches in --scale (default 4)
          --instances N       instead of the scenarios above: N hub instances (2 to 8) on one PostgreSQL
                              database ($EXCHANGE_BENCH_POSTGRES or $EXCHANGE_TEST_POSTGRES; e.g.
                              .ci/with-postgres make bench BENCH_ARGS="--instances 2"): the provision
                              log's append rate through one instance, then through all of them
          --help              this text
        """;

    public int Seconds { get; init; } = 10;

    public int WarmupSeconds { get; init; } = 15;

    public int Concurrency { get; init; } = 64;

    public int Connections { get; init; } = 2;

    public int Streams { get; init; } = 4;

    public int DuplexStreams { get; init; } = 4;

    public int InFlight { get; init; } = 256;

    public int Writers { get; init; } = 2;

    public int Batch { get; init; } = 500;

    public int Readers { get; init; } = 128;

    /// <summary>Reads per second offered in the fixed-rate scenario; 0 skips it.</summary>
    public int ReadRate { get; init; } = 5_000;

    public BenchProvider Provider { get; init; } = BenchProvider.Sqlite;

    /// <summary>The PostgreSQL server's connection string, or null when none is given.</summary>
    public string? Postgres { get; init; } = Environment.GetEnvironmentVariable("EXCHANGE_BENCH_POSTGRES") is { Length: > 0 } bench ? bench
        : Environment.GetEnvironmentVariable("EXCHANGE_TEST_POSTGRES") is { Length: > 0 } test ? test : null;

    public bool Scale { get; init; }

    public int ScaleCustomers { get; init; } = 1_000_000;

    public int Searchers { get; init; } = 4;

    /// <summary>Hub instances on one PostgreSQL database; 1 runs the usual scenarios instead.</summary>
    public int Instances { get; init; } = 1;

    public bool Transport { get; init; } = true;

    public bool Records { get; init; } = true;

    public bool Feed { get; init; } = true;

    public bool Recall { get; init; } = true;

    public bool Log { get; init; } = true;

    /// <summary>Entries the transparency-log scenario fills the provision log to.</summary>
    public int LogEntries { get; init; } = 10_000_000;

    /// <summary>Instead of the scenarios: the CPU cost of telemetry on against off (<see cref="TelemetryRun"/>).</summary>
    public bool Telemetry { get; init; }

    /// <summary>Vehicles the recall scenario loads before it creates a campaign.</summary>
    public int RecallVehicles { get; init; } = 1_000_000;

    public bool Subjects { get; init; } = true;

    /// <summary>Log entries received by one party that the incident scope reads.</summary>
    public int IncidentEntries { get; init; } = 1_000_000;

    /// <summary>Expired customer records a retention run disposes of.</summary>
    public int DisposalRecords { get; init; } = 1_000_000;

    public bool Help { get; init; }

    /// <summary>The measured window of every scenario.</summary>
    public TimeSpan Window => TimeSpan.FromSeconds(Seconds);

    /// <summary>
    /// Before each scenario whose code no earlier scenario ran: the first Ping scenario, the batched
    /// writes and the first reads. Under full load on two cores the JIT takes about ten seconds to
    /// replace its first, quick code with optimised code (unary calls/s climb about fourfold
    /// meanwhile; batched writes measured after a 5 s warm-up were still climbing), so a short
    /// warm-up would measure the JIT rather than the hub.
    /// </summary>
    public TimeSpan FirstWarmup => TimeSpan.FromSeconds(WarmupSeconds);

    /// <summary>Warm-ups and windows of every scenario together.</summary>
    public int TotalSeconds
    {
        get
        {
            var transport = Transport ? (DuplexStreams > 0 ? 3 : 2) : 0;
            var scenarios = transport + (Records ? (ReadRate > 0 ? 5 : 2) : 0) + (Feed ? 1 : 0);
            var fresh = (Transport ? 1 : 0) + (Records ? 2 : 0) + (Feed ? 1 : 0);
            return (int)((FirstWarmup * fresh) + (NextWarmup * (scenarios - fresh))).TotalSeconds + (Seconds * scenarios);
        }
    }

    /// <summary>Before each other scenario: most of the code it runs is already optimised by then.</summary>
    public TimeSpan NextWarmup => TimeSpan.FromSeconds(Math.Min(WarmupSeconds, 5));

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a readable message.</summary>
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h")
            {
                return options with { Help = true };
            }

            if (name == "--scale")
            {
                options = options with { Scale = true };
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value.");
            }

            var text = args[++i];
            options = name switch
            {
                "--seconds" => options with { Seconds = Number(name, text, 1, 3600) },
                "--warmup" => options with { WarmupSeconds = Number(name, text, 0, 600) },
                "--concurrency" => options with { Concurrency = Number(name, text, 1, 10_000) },
                "--connections" => options with { Connections = Number(name, text, 1, 256) },
                "--streams" => options with { Streams = Number(name, text, 1, 1_000) },
                "--duplex-streams" => options with { DuplexStreams = Number(name, text, 0, 1_000) },
                "--in-flight" => options with { InFlight = Number(name, text, 1, 10_000) },
                "--writers" => options with { Writers = Number(name, text, 1, 64) },
                "--batch" => options with { Batch = Number(name, text, 1, 1000) },
                "--readers" => options with { Readers = Number(name, text, 1, 10_000) },
                "--read-rate" => options with { ReadRate = Number(name, text, 0, 1_000_000) },
                "--instances" => options with { Instances = Number(name, text, 2, 8) },
                "--recall-vehicles" => options with { RecallVehicles = Number(name, text, 10_000, 10_000_000) },
                "--incident-entries" => options with { IncidentEntries = Number(name, text, 10_000, 100_000_000) },
                "--disposal-records" => options with { DisposalRecords = Number(name, text, 10_000, 10_000_000) },
                "--log-entries" => options with { LogEntries = Number(name, text, 10_000, 1_000_000_000) },
                "--only" => text switch
                {
                    "transport" => options with { Transport = true, Records = false, Feed = false, Recall = false, Subjects = false, Log = false },
                    "records" => options with { Transport = false, Records = true, Feed = false, Recall = false, Subjects = false, Log = false },
                    "feed" => options with { Transport = false, Records = false, Feed = true, Recall = false, Subjects = false, Log = false },
                    "recall" => options with { Transport = false, Records = false, Feed = false, Recall = true, Subjects = false, Log = false },
                    "subjects" => options with { Transport = false, Records = false, Feed = false, Recall = false, Subjects = true, Log = false },
                    "log" => options with { Transport = false, Records = false, Feed = false, Recall = false, Subjects = false, Log = true },
                    "telemetry" => options with { Transport = false, Records = false, Feed = false, Recall = false, Subjects = false, Log = false, Telemetry = true },
                    _ => throw new ArgumentException($"--only takes transport, records, feed, recall, subjects, log or telemetry, not '{text}'."),
                },
                "--provider" => options with
                {
                    Provider = text switch
                    {
                        "sqlite" => BenchProvider.Sqlite,
                        "postgres" => BenchProvider.Postgres,
                        _ => throw new ArgumentException($"--provider takes sqlite or postgres, not '{text}'."),
                    },
                },
                "--postgres" => options with { Postgres = text },
                "--scale-customers" => options with { ScaleCustomers = Number(name, text, 1_000, 100_000_000) },
                "--searchers" => options with { Searchers = Number(name, text, 1, 256) },
                _ => throw new ArgumentException($"Unknown option {name}."),
            };
        }

        return options.Provider == BenchProvider.Postgres && options.Postgres is null
            ? throw new ArgumentException("--provider postgres needs a server: --postgres CONN, EXCHANGE_BENCH_POSTGRES or EXCHANGE_TEST_POSTGRES (`make bench` starts one when none is set).")
            : options;
    }

    private static int Number(string name, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} must be a whole number from {min} to {max}, not '{text}'.");
}
