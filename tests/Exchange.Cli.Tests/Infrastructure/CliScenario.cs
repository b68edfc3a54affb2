using Exchange.Host.Tests.Infrastructure;

namespace Exchange.Cli.Tests.Infrastructure;

/// <summary>What one run of the tool did.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";

    /// <summary>The value of a "name: value" line the tool printed for a record.</summary>
    public string Field(string name)
    {
        var prefix = name + ":";
        var line = Out.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(line is not null, $"no '{name}' line in\n{this}");
        return line[prefix.Length..].Trim();
    }

    /// <summary>Asserts the exit code, showing everything the tool printed when it differs.</summary>
    public CliRun Expect(int exitCode)
    {
        Assert.True(ExitCode == exitCode, $"expected exit code {exitCode}, got {this}");
        return this;
    }
}

/// <summary>
/// Runs the <c>exchange</c> command line in-process against a real hub over mTLS. The tool's
/// environment variables point at the hub and at the development administrator's certificate;
/// relative paths resolve in a working folder of the test's own.
/// </summary>
public abstract class CliScenario : IAsyncLifetime
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected TestHub Hub { get; private set; } = null!;

    /// <summary>The tool's working folder.</summary>
    protected string WorkingDirectory { get; private set; } = null!;

    /// <summary>The variables the tool sees.</summary>
    protected Dictionary<string, string?> Environment { get; } = [];

    public async ValueTask InitializeAsync()
    {
        Hub = await StartHubAsync();
        WorkingDirectory = Path.Combine(Hub.Directory, "cli");
        Directory.CreateDirectory(WorkingDirectory);
        Environment["EXCHANGE_HUB"] = Hub.Address.ToString();
        Environment["EXCHANGE_CA"] = Path.Combine(Hub.CertificateDirectory, "ca.crt");
        Environment["EXCHANGE_CERT"] = Path.Combine(Hub.CertificateDirectory, "admin.crt");
        Environment["EXCHANGE_KEY"] = Path.Combine(Hub.CertificateDirectory, "admin.key");
    }

    /// <summary>Starts the hub the tool talks to: by default a development hub on SQLite.</summary>
    protected virtual Task<TestHub> StartHubAsync() => TestHub.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs <c>exchange</c> with <paramref name="args"/> as the development administrator (unless the arguments say otherwise).</summary>
    protected async Task<CliRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(output, error, name => Environment.GetValueOrDefault(name), WorkingDirectory, TimeProvider.System);
        var exitCode = await new ExchangeCli(environment).RunAsync(args, Ct);
        var run = new CliRun(exitCode, output.ToString(), error.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine($"$ exchange {string.Join(' ', args)}\n{run}");
        return run;
    }

    /// <summary>Runs <c>exchange</c> as a development party (its certificate and key from the hub's dev PKI).</summary>
    protected Task<CliRun> RunAsAsync(string party, params string[] args) =>
        RunAsync([.. args, "--cert", Path.Combine(Hub.CertificateDirectory, party + ".crt"), "--key", Path.Combine(Hub.CertificateDirectory, party + ".key")]);

    /// <summary>A file in the working folder.</summary>
    protected string InWorkingDirectory(string name) => Path.Combine(WorkingDirectory, name);
}
