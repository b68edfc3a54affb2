using System.CommandLine;
using Exchange.Contracts.V1;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange party add|list|show|suspend|reactivate|withdraw</c>.</summary>
internal static class PartyCommands
{
    private static readonly string[] Roles = ["member-garage", "group-body", "vendor", "administrator"];
    private static readonly string[] States = ["active", "suspended", "withdrawn"];

    public static Command Create(ExchangeCli cli) => new("party", "Register partners and change their state (administrators; a party may show itself)")
    {
        Add(cli),
        List(cli),
        Show(cli),
        ChangeState(cli, "suspend", "Refuse every call of the party from its next one, on open connections too, until reactivated", (c, r, o) => c.SuspendPartyAsync(r, o).ResponseAsync),
        ChangeState(cli, "reactivate", "Let a suspended party call again", (c, r, o) => c.ReactivatePartyAsync(r, o).ResponseAsync),
        ChangeState(cli, "withdraw", "End a party's membership for good: revokes its certificates and ends the authorisations naming it", (c, r, o) => c.WithdrawPartyAsync(r, o).ResponseAsync, final: true),
    };

    /// <summary>The "name: value" lines of a party.</summary>
    public static (string, string)[] Fields(PartyInfo party) =>
    [
        ("party", party.PartyId),
        ("role", party.Role),
        ("state", CliOutput.Name(party.State)),
        ("name (ja)", party.NameJa),
        ("name (en)", party.NameEn),
        ("contact", party.Contact),
        ("spiffe id", party.SpiffeId),
        ("registered", CliOutput.Time(party.CreatedAt)),
        ("updated", CliOutput.Time(party.UpdatedAt)),
    ];

    private static Argument<string> PartyId() => new("party-id") { Description = "The party's ID: 1-64 of a-z, 0-9, '.', '-', '_' (e.g. garage-zao)" };

    private static Command Add(ExchangeCli cli)
    {
        var id = PartyId();
        var role = new Option<string>("--role") { Description = "The party's role", Required = true };
        role.AcceptOnlyFromAmong(Roles);
        var nameJa = new Option<string>("--name-ja") { Description = "Legal name in Japanese, e.g. 株式会社蔵王自動車", Required = true };
        var nameEn = new Option<string>("--name-en") { Description = "Legal name in Latin script, e.g. \"Zao Motors Co., Ltd.\"", Required = true };
        var contact = new Option<string>("--contact") { Description = "Whom to contact: a person, a phone number" };
        var command = new Command("add", "Register a party (it can receive certificates once registered)") { id, role, nameJa, nameEn, contact };
        cli.OnHub(command, async context =>
        {
            var request = new AddPartyRequest { PartyId = context.Value(id), Role = context.Value(role), NameJa = context.Value(nameJa), NameEn = context.Value(nameEn), Contact = context.Value(contact) ?? "" };
            var party = await new Partners.PartnersClient(context.Hub.Channel).AddPartyAsync(request, context.Call).ConfigureAwait(false);
            context.Output.Record(party, Fields(party));
            context.Output.Hint($"Next: the partner runs 'exchange cert request --party {party.PartyId}' on its own machine and sends you the .csr file.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(ExchangeCli cli)
    {
        var role = new Option<string>("--role") { Description = "Only this role" };
        role.AcceptOnlyFromAmong(Roles);
        var state = new Option<string>("--state") { Description = "Only this state" };
        state.AcceptOnlyFromAmong(States);
        var command = new Command("list", "List parties") { role, state };
        cli.OnHub(command, async context =>
        {
            var request = new ListPartiesRequest { Role = context.Value(role) ?? "", State = ParseState(context.Value(state)) };
            var reply = await new Partners.PartnersClient(context.Hub.Channel).ListPartiesAsync(request, context.Call).ConfigureAwait(false);
            context.Output.List(reply, reply.Parties, ("PARTY", p => p.PartyId), ("ROLE", p => p.Role), ("STATE", p => CliOutput.Name(p.State)), ("NAME (EN)", p => p.NameEn), ("NAME (JA)", p => p.NameJa));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(ExchangeCli cli)
    {
        var id = PartyId();
        var command = new Command("show", "Show one party") { id };
        cli.OnHub(command, async context =>
        {
            var party = await new Partners.PartnersClient(context.Hub.Channel).GetPartyAsync(new GetPartyRequest { PartyId = context.Value(id) }, context.Call).ConfigureAwait(false);
            context.Output.Record(party, Fields(party));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ChangeState(ExchangeCli cli, string name, string description, Func<Partners.PartnersClient, ChangePartyStateRequest, Grpc.Core.CallOptions, Task<PartyInfo>> change, bool final = false)
    {
        var id = PartyId();
        var reason = new Option<string>("--reason") { Description = "Why, for the hub's audit log" };
        var yes = new Option<bool>("--yes") { Description = "Confirm: this cannot be undone" };
        var command = new Command(name, description) { id, reason };
        if (final)
        {
            command.Options.Add(yes);
        }

        cli.OnHub(command, async context =>
        {
            if (final && !context.Value(yes))
            {
                throw new CliException(ExitCodes.Usage, $"'{name}' cannot be undone: it revokes every certificate of '{context.Value(id)}'; repeat with --yes to confirm");
            }

            var party = await change(new Partners.PartnersClient(context.Hub.Channel), new ChangePartyStateRequest { PartyId = context.Value(id), Reason = context.Value(reason) ?? "" }, context.Call).ConfigureAwait(false);
            context.Output.Record(party, Fields(party));
            return ExitCodes.Success;
        });
        return command;
    }

    private static PartyState ParseState(string? state) => state switch
    {
        "active" => PartyState.Active,
        "suspended" => PartyState.Suspended,
        "withdrawn" => PartyState.Withdrawn,
        _ => PartyState.Unspecified,
    };
}
