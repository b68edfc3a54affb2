using System.ComponentModel.DataAnnotations;
using Exchange.Domain.Provisions;
using Exchange.Protocol.Server;
using Exchange.Storage;

namespace Exchange.Host.Configuration;

/// <summary>The hub's settings, bound from the <c>Exchange</c> configuration section.</summary>
internal sealed class HubOptions
{
    public const string Section = "Exchange";

    /// <summary>Where partners connect (gRPC over mutual TLS); port 0 picks a free port.</summary>
    [Required]
    public Uri Listen { get; set; } = new("https://127.0.0.1:7443");

    /// <summary>The SPIFFE trust domain of every party ID.</summary>
    [Required]
    [RegularExpression("^[a-z0-9._-]{1,255}$", ErrorMessage = "TrustDomain must be lowercase letters, digits, '.', '-' or '_'.")]
    public string TrustDomain { get; set; } = "exchange.local";

    /// <summary>The hub's certificates.</summary>
    [Required]
    public PkiOptions Pki { get; set; } = new();

    /// <summary>Where the public declaration page is served over HTTPS without a client certificate; empty disables it.</summary>
    public Uri? PublicListen { get; set; } = new("https://127.0.0.1:7444");

    /// <summary>Folder of the hub's generated keys, and of the SQLite database when that is the provider.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>The smallest number of persons a statistics aggregate may describe.</summary>
    [Range(2, 1_000_000)]
    public int StatisticsK { get; set; } = 10;

    /// <summary>The granularity, in yen, released statistics round billed amounts to (docs/statistics.md).</summary>
    [Range(1, 1_000_000_000)]
    public int StatisticsBilledRoundingYen { get; set; } = 100_000;

    /// <summary>
    /// Minimum days between publishing a declaration version and its taking effect; at least 1
    /// outside the Development environment (checked by <see cref="HubOptionsValidator"/>).
    /// </summary>
    [Range(0, 3650)]
    public double DeclarationNoticeDays { get; set; } = 14;

    /// <summary>The body that runs the hub, named by the declaration it ships with.</summary>
    [Required]
    public DeclarationOptions Declaration { get; set; } = new();

    /// <summary>How often the hub signs a provision-log checkpoint.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often the hub signs a C2SP checkpoint of the provision log's Merkle tree while entries
    /// arrive: the longest time entries can be cut from the log's end before a signed head covers them.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan TreeCheckpointInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The transparency log's origin and signing key (docs/transparency.md).</summary>
    [Required]
    public TreeLogOptions TreeLog { get; set; } = new();

    /// <summary>The change feed: retention and how instances notice each other's events.</summary>
    [Required]
    public FeedOptions Feed { get; set; } = new();

    /// <summary>How long personal data is kept before the disposal erases it.</summary>
    public RetentionOptions Retention { get; set; } = new();

    /// <summary>What an incident's scope counts as sensitive, and what persons' reports show.</summary>
    public IncidentOptions Incidents { get; set; } = new();

    /// <summary>Persons' requests: when unacknowledged propagations are reminded.</summary>
    [Required]
    public SubjectsOptions Subjects { get; set; } = new();

    /// <summary>The database: SQLite in <see cref="DataDirectory"/> (the default) or a PostgreSQL server.</summary>
    [Required]
    public DatabaseOptions Database { get; set; } = new();

    /// <summary>
    /// The most calls the hub runs at once, over all connections, streams included; beyond it a call
    /// is refused with RESOURCE_EXHAUSTED (health checks never are).
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxConcurrentCalls { get; set; } = 512;

    /// <summary>
    /// The most calls one party runs at once, so that no party can take every slot; unset means an
    /// eighth of <see cref="MaxConcurrentCalls"/> (64 of 512). 1 to <see cref="MaxConcurrentCalls"/>
    /// (checked by <see cref="HubOptionsValidator"/>).
    /// </summary>
    public int? MaxConcurrentCallsPerParty { get; set; }

    /// <summary>
    /// Calls of <see cref="MaxConcurrentCalls"/> that only administrators may run, so that an
    /// administrator can always call (verify the log, suspend a party) while partners fill the hub;
    /// unset means a sixteenth of it (32 of 512). 0 to <see cref="MaxConcurrentCalls"/> - 1.
    /// </summary>
    public int? AdministratorReservedCalls { get; set; }

    /// <summary>The storage these settings name.</summary>
    public StorageSettings Storage => new(Database.Provider, DataDirectory, Database.ConnectionString);

    /// <summary>The call limits these settings give, defaults applied.</summary>
    public CallLimits CallLimits => new(
        MaxConcurrentCalls,
        MaxConcurrentCallsPerParty ?? Math.Max(1, (MaxConcurrentCalls + 7) / 8),
        AdministratorReservedCalls ?? MaxConcurrentCalls / 16);

    /// <summary>Party ID registered as administrator on first start (production bootstrap).</summary>
    public string? BootstrapAdministrator { get; set; }

    /// <summary>
    /// PEM certificate of <see cref="BootstrapAdministrator"/>, signed by hand with the issuing CA. The
    /// hub accepts only certificates its registry recorded, so it records this one at start.
    /// </summary>
    public string? BootstrapAdministratorCertificate { get; set; }
}

/// <summary>The <c>Exchange:TreeLog</c> settings (checked by <see cref="HubOptionsValidator"/>).</summary>
internal sealed class TreeLogOptions
{
    /// <summary>The checkpoints' origin line and the log key's name; unset: <c>&lt;TrustDomain&gt;/provision-log</c>.</summary>
    public string? Origin { get; set; }

    /// <summary>
    /// The log key, a note signer key file (<c>PRIVATE+KEY+origin+id+key</c>, readable by the hub's
    /// account only); required outside Development, where unset means one generated in the data folder.
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>The parties whose C2SP cosignatures of checkpoints the hub accepts, each with its witness key.</summary>
    public List<WitnessOptions> Witnesses { get; set; } = [];

    /// <summary>How many witnesses must cosign a checkpoint for it to count as trusted: 1 to their number when there are any, else 0.</summary>
    public int Quorum { get; set; }

    /// <summary>The origin these settings give, default applied.</summary>
    public string OriginFor(string trustDomain) => Origin is { Length: > 0 } origin ? origin : trustDomain + "/provision-log";

    /// <summary>The trust policy these settings give.</summary>
    public WitnessPolicy Policy => new([.. Witnesses.Select(w => new TreeWitness(w.Party ?? "", (w.VerifierKey ?? "").Trim()))], Quorum);
}

/// <summary>One of <c>Exchange:TreeLog:Witnesses</c>.</summary>
internal sealed class WitnessOptions
{
    /// <summary>The witness's party ID (its client certificate names it).</summary>
    public string? Party { get; set; }

    /// <summary>Its verifier key, <c>name+key ID hex+base64(0x04 ‖ Ed25519 key)</c>, as <c>exchange witness</c> prints it.</summary>
    public string? VerifierKey { get; set; }
}

/// <summary>The <c>Exchange:Database</c> settings (checked by <see cref="HubOptionsValidator"/>).</summary>
internal sealed class DatabaseOptions
{
    /// <summary><c>Sqlite</c> (embedded, no set-up) or <c>Postgres</c> (production; several hub instances may share it).</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>The PostgreSQL connection string (Npgsql's keywords); Postgres only.</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>
/// Certificate files. When <see cref="CaCertificate"/> is not set, a development PKI is created
/// under <see cref="DevelopmentDirectory"/> on first run and used from there.
/// </summary>
internal sealed class PkiOptions
{
    /// <summary>Folder of the generated development PKI (ignored by git).</summary>
    public string DevelopmentDirectory { get; set; } = "certs/dev";

    /// <summary>PEM bundle of the CA certificates client certificates must chain to.</summary>
    public string? CaCertificate { get; set; }

    /// <summary>PEM server certificate (leaf first, then intermediates).</summary>
    public string? ServerCertificate { get; set; }

    /// <summary>PEM private key of the server certificate.</summary>
    public string? ServerKey { get; set; }

    /// <summary>
    /// PEM certificate of the hub's issuing CA (followed by any further intermediates up to the
    /// root), which signs partners' client certificates and the CRL. Usually an intermediate of an
    /// offline root named in <see cref="CaCertificate"/>. Unset in production: the hub issues
    /// nothing and publishes no CRL (revocations are still enforced).
    /// </summary>
    public string? IssuingCaCertificate { get; set; }

    /// <summary>PEM (PKCS#8) private key of the issuing CA; readable by the hub's account only.</summary>
    public string? IssuingCaKey { get; set; }

    /// <summary>How long issued and renewed client certificates are valid (1 hour to 397 days; checked by <see cref="HubOptionsValidator"/>).</summary>
    public TimeSpan ClientCertificateLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long a published CRL is valid (its nextUpdate), 5 minutes to 30 days; it is re-signed at half that age.</summary>
    public TimeSpan CrlLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>True when production files are configured rather than the development PKI.</summary>
    public bool IsConfigured => CaCertificate is not null;
}
