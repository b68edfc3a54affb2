using System.CommandLine;
using System.CommandLine.Help;
using System.Text;
using Exchange.Cli.Commands;
using Grpc.Core;

namespace Exchange.Cli;

/// <summary>Everything an action needs: the parse, the session with the hub (for hub commands), the output and the token.</summary>
/// <param name="Result">What was parsed.</param>
/// <param name="Environment">Streams, variables, working folder.</param>
/// <param name="Output">Where results go.</param>
/// <param name="CancellationToken">Cancels the command (Ctrl+C).</param>
internal sealed record CommandContext(ParseResult Result, CliEnvironment Environment, CliOutput Output, CancellationToken CancellationToken)
{
    /// <summary>The connection to the hub, for commands that call it.</summary>
    public HubSession Hub => HubOrNull ?? throw new InvalidOperationException("This command does not call the hub.");

    internal HubSession? HubOrNull { get; init; }

    /// <summary>The options every command takes (--ca, --timeout …).</summary>
    public GlobalOptions Options { get; init; } = null!;

    /// <summary>Call options with the session's deadline.</summary>
    public CallOptions Call => Hub.Call(CancellationToken);

    public T? Value<T>(Option<T> option) => Result.GetValue(option);

    public T? Value<T>(Argument<T> argument) => Result.GetValue(argument);
}

/// <summary>
/// The <c>exchange</c> command line: parses, runs the command, and turns every failure into a clear
/// message on standard error and an exit code from <see cref="ExitCodes"/>.
/// </summary>
internal sealed class ExchangeCli
{
    private readonly CliEnvironment _environment;

    public ExchangeCli(CliEnvironment environment)
    {
        _environment = environment;
        Options = new GlobalOptions(environment);
        // A plain command named "exchange" rather than a RootCommand, whose name would be the
        // executable's (dotnet's, or a test host's): help always says "exchange".
        Root = new Command(
            "exchange",
            "Manage the Exchange hub's partners, certificates and vendor authorisations, verify its provision log (as any partner too), witness it, watch your change feed and run recall campaigns, over mutual TLS, " +
            "with your own client certificate.\n\n" + ExitCodes.Help)
        {
            new HelpOption(),
            new VersionOption(),
        };
        foreach (var option in Options.All)
        {
            Root.Options.Add(option);
        }

        Root.Subcommands.Add(PartyCommands.Create(this));
        Root.Subcommands.Add(StaffCommands.Create(this));
        Root.Subcommands.Add(CertCommands.Create(this));
        Root.Subcommands.Add(AuthorizeCommands.Create(this));
        Root.Subcommands.Add(MiscCommands.Audit(this));
        Root.Subcommands.Add(LogCommands.Create(this));
        Root.Subcommands.Add(WatchCommand.Create(this));
        Root.Subcommands.Add(WitnessCommand.Create(this));
        Root.Subcommands.Add(RecallCommands.Create(this));
        Root.Subcommands.Add(OversightCommands.Retention(this));
        Root.Subcommands.Add(OversightCommands.Incident(this));
        Root.Subcommands.Add(OversightCommands.Exceptional(this));
        Root.Subcommands.Add(SubjectCommands.Create(this));
        Root.Subcommands.Add(MiscCommands.Ping(this));
    }

    public GlobalOptions Options { get; }

    public Command Root { get; }

    /// <summary>Runs one command line; returns its exit code.</summary>
    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var result = Root.Parse(args);
        if (result.Errors.Count > 0 && result.Action is not HelpAction)
        {
            foreach (var error in result.Errors)
            {
                _environment.Error.WriteLine($"exchange: {error.Message}");
            }

            _environment.Error.WriteLine($"Run '{string.Join(' ', CommandPath(result.CommandResult.Command))} --help' for usage.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration { Output = _environment.Out, Error = _environment.Error, EnableDefaultExceptionHandler = false };
        return await result.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes <paramref name="action"/> the command's action, with a session to the hub.</summary>
    public void OnHub(Command command, Func<CommandContext, Task<int>> action) =>
        command.SetAction((result, cancellationToken) => GuardAsync(result, cancellationToken, true, action));

    /// <summary>Makes <paramref name="action"/> the command's action, with a session to the hub when <paramref name="callsHub"/> says so.</summary>
    public void OnHubIf(Command command, Func<ParseResult, bool> callsHub, Func<CommandContext, Task<int>> action) =>
        command.SetAction((result, cancellationToken) => GuardAsync(result, cancellationToken, callsHub(result), action));

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new Stack<string>();
        for (Symbol? symbol = command; symbol is Command c; symbol = c.Parents.FirstOrDefault())
        {
            names.Push(c.Name);
        }

        return names;
    }

    private static string StatusName(StatusCode code)
    {
        var name = new StringBuilder();
        foreach (var c in code.ToString())
        {
            if (char.IsUpper(c) && name.Length > 0)
            {
                name.Append('_');
            }

            name.Append(char.ToUpperInvariant(c));
        }

        return name.ToString();
    }

    private async Task<int> GuardAsync(ParseResult result, CancellationToken cancellationToken, bool callsHub, Func<CommandContext, Task<int>> action)
    {
        HubSession? session = null;
        try
        {
            session = callsHub ? HubSession.Open(result, Options, _environment) : null;
            var context = new CommandContext(result, _environment, new CliOutput(_environment, Options.FormatOf(result)), cancellationToken) { HubOrNull = session, Options = Options };
            return await action(context).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            _environment.Error.WriteLine($"exchange: {Describe(e, session)}");
            return ExitCodes.For(ExitCodes.StatusOf(e));
        }
        catch (CliException e)
        {
            _environment.Error.WriteLine($"exchange: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _environment.Error.WriteLine($"exchange: {e.Message}");
            return ExitCodes.Failure;
        }
        finally
        {
            session?.Dispose();
        }
    }

    private string Describe(RpcException e, HubSession? session)
    {
        var address = session?.Address.ToString() ?? "the hub";
        return ExitCodes.StatusOf(e) switch
        {
            StatusCode.Unavailable =>
                $"cannot reach the hub at {address}, or it closed the connection.\n" +
                "  Is the hub running there? A connection closed during the TLS handshake means the hub refused your certificate:\n" +
                "  revoked, expired, not yet valid, or not issued by its CA (check --cert and --key).\n" +
                $"  detail: {e.Status.Detail.ReplaceLineEndings(" ")}",
            StatusCode.DeadlineExceeded => $"the hub at {address} did not answer within {session?.Timeout.TotalSeconds:0} s (--timeout)",
            _ => $"the hub refused: {StatusName(e.StatusCode)}: {e.Status.Detail}",
        };
    }
}
