using System.CommandLine;
using System.Globalization;
using Exchange.Contracts.V1;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange authorize</c> (a garage authorises a vendor), <c>authorize list</c>, <c>authorize revoke</c>.</summary>
internal static class AuthorizeCommands
{
    public static Command Create(ExchangeCli cli)
    {
        var vendor = new Option<string>("--vendor") { Description = "The vendor to authorise" };
        var operations = new Option<string>("--operations") { Description = "What it may do for the garage: read, write, or read,write", HelpName = "list" };
        var garage = new Option<string>("--garage") { Description = "The authorising garage [default: the party of your certificate; administrators may name any garage]" };
        var from = new Option<string>("--from") { Description = "Start, ISO 8601 (e.g. 2027-04-01 or 2027-04-01T09:00+09:00) [default: now]", HelpName = "time" };
        var until = new Option<string>("--until") { Description = "Exclusive end, ISO 8601 [default: until revoked]", HelpName = "time" };
        var command = new Command("authorize", "Authorise a vendor to act on a garage's behalf (the garage itself, or an administrator). Every call the vendor makes for the garage is checked against it and recorded in the provision log.")
        {
            vendor, operations, garage, from, until, List(cli), Revoke(cli),
        };
        cli.OnHub(command, async context =>
        {
            var vendorId = context.Value(vendor);
            var operationList = context.Value(operations)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            if (string.IsNullOrEmpty(vendorId) || operationList.Length == 0)
            {
                throw new CliException(ExitCodes.Usage, "name the vendor and what it may do: exchange authorize --vendor <party-id> --operations read,write");
            }

            var request = new GrantAuthorisationRequest { GarageParty = context.Value(garage) ?? "", VendorParty = vendorId, ValidFrom = CliOutput.ParseTime(context.Value(from), "--from"), ValidUntil = CliOutput.ParseTime(context.Value(until), "--until") };
            request.Operations.AddRange(operationList);
            var granted = await new Partners.PartnersClient(context.Hub.Channel).GrantAuthorisationAsync(request, context.Call).ConfigureAwait(false);
            context.Output.Record(granted, Fields(granted));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(ExchangeCli cli)
    {
        var garage = new Option<string>("--garage") { Description = "Only authorisations this garage gave" };
        var vendor = new Option<string>("--vendor") { Description = "Only authorisations naming this vendor" };
        var all = new Option<bool>("--all") { Description = "Also list ended and revoked authorisations" };
        var command = new Command("list", "List authorisations (administrators see all, a garage those it gave, a vendor those naming it)") { garage, vendor, all };
        cli.OnHub(command, async context =>
        {
            var request = new ListAuthorisationsRequest { GarageParty = context.Value(garage) ?? "", VendorParty = context.Value(vendor) ?? "", IncludeEnded = context.Value(all) };
            var reply = await new Partners.PartnersClient(context.Hub.Channel).ListAuthorisationsAsync(request, context.Call).ConfigureAwait(false);
            context.Output.List(reply, reply.Authorisations, ("ID", a => a.AuthorisationId.ToString(CultureInfo.InvariantCulture)), ("GARAGE", a => a.GarageParty), ("VENDOR", a => a.VendorParty), ("OPERATIONS", a => string.Join(',', a.Operations)), ("FROM", a => CliOutput.Time(a.ValidFrom)), ("UNTIL", a => CliOutput.Time(a.ValidUntil)), ("CURRENT", a => a.Current ? "yes" : "no"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke(ExchangeCli cli)
    {
        var id = new Argument<long>("authorisation-id") { Description = "The authorisation (see 'exchange authorize list')" };
        var command = new Command("revoke", "End an authorisation now (the garage that gave it, or an administrator)") { id };
        cli.OnHub(command, async context =>
        {
            var revoked = await new Partners.PartnersClient(context.Hub.Channel).RevokeAuthorisationAsync(new RevokeAuthorisationRequest { AuthorisationId = context.Value(id) }, context.Call).ConfigureAwait(false);
            context.Output.Record(revoked, Fields(revoked));
            return ExitCodes.Success;
        });
        return command;
    }

    private static (string, string)[] Fields(AuthorisationInfo authorisation) =>
    [
        ("authorisation", authorisation.AuthorisationId.ToString(CultureInfo.InvariantCulture)),
        ("garage", authorisation.GarageParty),
        ("vendor", authorisation.VendorParty),
        ("operations", string.Join(',', authorisation.Operations)),
        ("from", CliOutput.Time(authorisation.ValidFrom)),
        ("until", authorisation.ValidUntil is null ? "until revoked" : CliOutput.Time(authorisation.ValidUntil)),
        ("current", authorisation.Current ? "yes" : "no"),
        ("recorded by", authorisation.RecordedBy),
        .. authorisation.RevokedAt is null ? Array.Empty<(string, string)>() : [("revoked", $"{CliOutput.Time(authorisation.RevokedAt)} by {authorisation.RevokedBy}")],
    ];
}
