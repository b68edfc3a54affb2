using System.CommandLine;
using System.Globalization;
using Exchange.Contracts.V1;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange audit</c> and <c>exchange ping</c>.</summary>
internal static class MiscCommands
{
    public static Command Audit(ExchangeCli cli)
    {
        var subject = new Option<string>("--subject") { Description = "Only events about this party, certificate serial, request, authorisation (authorisation/<id>), grant (grant/role/<role>/<purpose> or grant/party/<party>/<purpose>), declaration version (declaration/<n>) or person (subject ID)" };
        var action = new Option<string>("--action") { Description = "Only actions starting with this, e.g. certificate., party.suspended, grant., declaration.published or opt-out." };
        var limit = new Option<int>("--limit") { Description = "At most this many events (1-1000)", DefaultValueFactory = _ => 50 };
        var command = new Command("audit", "Show the hub's own audit log of party, authorisation and certificate changes, grant changes, declaration publications and relayed opt-outs, newest first (administrators)") { subject, action, limit };
        cli.OnHub(command, async context =>
        {
            var request = new ListAuditEventsRequest { Subject = context.Value(subject) ?? "", ActionPrefix = context.Value(action) ?? "", Limit = context.Value(limit) };
            var reply = await new HubAudit.HubAuditClient(context.Hub.Channel).ListEventsAsync(request, context.Call).ConfigureAwait(false);
            context.Output.List(reply, reply.Events, ("SEQ", e => e.Sequence.ToString(CultureInfo.InvariantCulture)), ("TIME", e => CliOutput.Time(e.Time)), ("ACTOR", e => e.Actor), ("ACTION", e => e.Action), ("SUBJECT", e => e.Subject), ("DETAILS", e => e.Details));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Ping(ExchangeCli cli)
    {
        var command = new Command("ping", "Check the connection: the hub answers with the identity it reads from your certificate");
        cli.OnHub(command, async context =>
        {
            var reply = await new Diagnostics.DiagnosticsClient(context.Hub.Channel).PingAsync(new PingRequest(), context.Call).ConfigureAwait(false);
            context.Output.Record(reply, ("caller", reply.Caller), ("party", reply.PartyId), ("hub version", reply.HubVersion), ("hub time", CliOutput.Time(reply.ServerTime)));
            return ExitCodes.Success;
        });
        return command;
    }
}
