using System.CommandLine;

namespace Exchange.Cli;

/// <summary>How results are printed.</summary>
internal enum OutputFormat
{
    /// <summary>Aligned columns for people.</summary>
    Table,

    /// <summary>Protobuf JSON for scripts.</summary>
    Json,
}

/// <summary>
/// Options every command takes: where the hub is, whom to trust, which certificate to call with and
/// how to print. Each defaults to an environment variable, then to the development PKI in certs/dev/.
/// </summary>
internal sealed class GlobalOptions
{
    public const string HubVariable = "EXCHANGE_HUB";
    public const string CaVariable = "EXCHANGE_CA";
    public const string CertVariable = "EXCHANGE_CERT";
    public const string KeyVariable = "EXCHANGE_KEY";
    public const string OutputVariable = "EXCHANGE_OUTPUT";

    public GlobalOptions(CliEnvironment environment)
    {
        string Default(string variable, string fallback) => environment.GetVariable(variable) is { Length: > 0 } value ? value : fallback;
        Option<string> FileOption(string name, string description, string variable, string fallback) => new(name)
        {
            Description = $"{description} [env {variable}]",
            HelpName = "file",
            Recursive = true,
            DefaultValueFactory = _ => Default(variable, fallback),
        };

        Hub = new Option<string>("--hub")
        {
            Description = $"The hub's gRPC address [env {HubVariable}]",
            HelpName = "url",
            Recursive = true,
            DefaultValueFactory = _ => Default(HubVariable, "https://127.0.0.1:7443"),
        };
        Ca = FileOption("--ca", "PEM file of the CA certificate(s) the hub's certificate must chain to", CaVariable, "certs/dev/ca.crt");
        Cert = FileOption("--cert", "PEM file of your client certificate (chain)", CertVariable, "certs/dev/admin.crt");
        Key = FileOption("--key", "PEM file of your certificate's private key", KeyVariable, "certs/dev/admin.key");
        Output = new Option<string>("--output", "-o")
        {
            Description = $"How to print results [env {OutputVariable}]",
            Recursive = true,
            DefaultValueFactory = _ => Default(OutputVariable, "table"),
        };
        Output.AcceptOnlyFromAmong("table", "json");
        Timeout = new Option<int>("--timeout")
        {
            Description = "Seconds to wait for the hub",
            HelpName = "seconds",
            Recursive = true,
            DefaultValueFactory = _ => 30,
        };
        Timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 3600)
            {
                result.AddError("--timeout must be between 1 and 3600 seconds.");
            }
        });
    }

    public Option<string> Hub { get; }

    public Option<string> Ca { get; }

    public Option<string> Cert { get; }

    public Option<string> Key { get; }

    public Option<string> Output { get; }

    public Option<int> Timeout { get; }

    public IEnumerable<Option> All => [Hub, Ca, Cert, Key, Output, Timeout];

    public OutputFormat FormatOf(ParseResult result) =>
        string.Equals(result.GetValue(Output), "json", StringComparison.Ordinal) ? OutputFormat.Json : OutputFormat.Table;
}
