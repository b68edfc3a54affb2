using Exchange.Cli.Tests.Infrastructure;

namespace Exchange.Cli.Tests;

/// <summary>Parsing, help, and how failures become messages and exit codes.</summary>
public sealed class ExchangeCliTests : CliScenario
{
    public static TheoryData<string> Commands =>
    [
        "party", "party add", "party list", "party show", "party suspend", "party reactivate", "party withdraw",
        "cert", "cert request", "cert approve", "cert reject", "cert requests", "cert list", "cert revoke", "cert renew", "cert crl",
        "authorize", "authorize list", "authorize revoke", "audit", "watch", "ping",
    ];

    [Fact]
    public async Task Help_lists_the_commands_the_global_options_with_their_variables_and_the_exit_codes()
    {
        var run = (await RunAsync("--help")).Expect(0);

        foreach (var text in new[] { "party", "cert", "authorize", "audit", "watch", "ping", "--hub", "EXCHANGE_HUB", "EXCHANGE_CERT", "--output", "Exit codes: 0 done" })
        {
            Assert.Contains(text, run.Out, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_command_explains_itself_with_help(string command)
    {
        var run = (await RunAsync([.. command.Split(' '), "--help"])).Expect(0);

        Assert.Contains("Usage:", run.Out, StringComparison.Ordinal);
        Assert.Contains($"exchange {command}", run.Out, StringComparison.Ordinal);
        Assert.Empty(run.Error);
    }

    [Theory]
    [InlineData("Unrecognized command or argument 'frobnicate'", "frobnicate")]
    [InlineData("Required command was not provided", "party")]
    [InlineData("Option '--role' is required", "party", "add", "garage-zao", "--name-ja", "蔵王", "--name-en", "Zao")]
    [InlineData("Argument 'dealer' not recognized", "party", "add", "garage-zao", "--role", "dealer", "--name-ja", "蔵王", "--name-en", "Zao")]
    [InlineData("Argument 'yaml' not recognized", "party", "list", "--output", "yaml")]
    [InlineData("--timeout must be between 1 and 3600", "ping", "--timeout", "0")]
    [InlineData("Option '--reason' is required", "cert", "revoke", "0A0B")]
    [InlineData("--from-earliest and --from-latest exclude each other", "watch", "--from-earliest", "--from-latest")]
    public async Task Bad_usage_exits_with_2_and_says_what_is_wrong_on_stderr(string message, params string[] args)
    {
        var run = (await RunAsync(args)).Expect(2);

        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Contains("--help' for usage", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task A_hub_that_is_not_listening_exits_with_3_and_a_hint()
    {
        var run = (await RunAsync("ping", "--hub", "https://127.0.0.1:1", "--timeout", "5")).Expect(3);

        Assert.Contains("cannot reach the hub at https://127.0.0.1:1/", run.Error, StringComparison.Ordinal);
        Assert.Contains("Is the hub running", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hub_address_that_is_not_https_is_bad_usage()
    {
        var run = (await RunAsync("ping", "--hub", "http://127.0.0.1:7443")).Expect(2);

        Assert.Contains("not an https:// address", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_certificate_file_exits_with_1_naming_the_file_and_the_option()
    {
        var run = (await RunAsync("ping", "--cert", "no-such.crt")).Expect(1);

        Assert.Contains(InWorkingDirectory("no-such.crt"), run.Error, StringComparison.Ordinal);
        Assert.Contains("--cert", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Global_options_default_to_the_environment_variables()
    {
        Environment["EXCHANGE_OUTPUT"] = "json";

        var run = (await RunAsync("ping")).Expect(0);

        Assert.Contains("\"partyId\": \"admin\"", run.Out, StringComparison.Ordinal);
    }
}
