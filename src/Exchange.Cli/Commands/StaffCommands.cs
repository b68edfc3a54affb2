using System.CommandLine;
using Exchange.Contracts.V1;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange staff add|list|disable|enable|reset-2fa</c>: the people who work for each party.</summary>
internal static class StaffCommands
{
    private static readonly string[] Roles = ["member", "party-administrator"];

    public static Command Create(ExchangeCli cli) => new("staff", "Manage the people who sign in for a party (operators: any party; a party's administrators: their own)")
    {
        Add(cli),
        List(cli),
        Change(cli, "disable", "Disable an account: the person's console sessions and staff tokens stop at their next use", (c, r, o) => c.DisableStaffAsync(r, o).ResponseAsync),
        Change(cli, "enable", "Enable a disabled account again", (c, r, o) => c.EnableStaffAsync(r, o).ResponseAsync),
        Change(cli, "reset-2fa", "Forget the person's authenticator: they enrol again at their next sign-in", (c, r, o) => c.ResetSecondFactorAsync(r, o).ResponseAsync),
    };

    private static (string, string)[] Fields(StaffMemberInfo member) =>
    [
        ("staff id", member.StaffId),
        ("party", member.PartyId),
        ("sign-in name", member.SignInName),
        ("name", member.DisplayName),
        ("role", RoleName(member.Role)),
        ("enabled", member.Enabled ? "yes" : "no"),
        ("second factor", member.SecondFactor ? "enrolled" : "not enrolled"),
    ];

    private static Command Add(ExchangeCli cli)
    {
        var party = new Option<string>("--party") { Description = "The party the person works for", Required = true };
        var signInName = new Argument<string>("sign-in-name") { Description = "The name the person signs in with: 3-64 of letters, digits, '.', '_', '-', '@', '+'" };
        var name = new Option<string>("--name") { Description = "The person's name as your party gives it (shown in the console only)", Required = true };
        var role = new Option<string>("--role") { Description = "What the person may do for the party", DefaultValueFactory = _ => "member" };
        role.AcceptOnlyFromAmong(Roles);
        var command = new Command("add", "Create an account; prints a one-time password to hand to the person") { signInName, party, name, role };
        cli.OnHub(command, async context =>
        {
            var request = new AddStaffRequest { PartyId = context.Value(party), SignInName = context.Value(signInName), DisplayName = context.Value(name), Role = ParseRole(context.Value(role)) };
            var reply = await new Staff.StaffClient(context.Hub.Channel).AddStaffAsync(request, context.Call).ConfigureAwait(false);
            context.Output.Record(reply, [.. Fields(reply.Member), ("one-time password", reply.OneTimePassword)]);
            context.Output.Hint("Hand the one-time password to the person; it is not shown again. They enrol an authenticator app at their first console sign-in.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(ExchangeCli cli)
    {
        var party = new Option<string>("--party") { Description = "Only this party's staff (operators may omit it)" };
        var command = new Command("list", "List staff accounts") { party };
        cli.OnHub(command, async context =>
        {
            var reply = await new Staff.StaffClient(context.Hub.Channel).ListStaffAsync(new ListStaffRequest { PartyId = context.Value(party) ?? "" }, context.Call).ConfigureAwait(false);
            context.Output.List(reply, reply.Members, ("STAFF ID", m => m.StaffId), ("PARTY", m => m.PartyId), ("SIGN-IN NAME", m => m.SignInName), ("ROLE", m => RoleName(m.Role)), ("ENABLED", m => m.Enabled ? "yes" : "no"), ("2FA", m => m.SecondFactor ? "yes" : "no"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Change(ExchangeCli cli, string name, string description, Func<Staff.StaffClient, StaffMemberRequest, Grpc.Core.CallOptions, Task<StaffMemberInfo>> change)
    {
        var id = new Argument<string>("staff-id") { Description = "The staff ID, e.g. stf_3f9c0a1b2c3d4e5f6a7b" };
        var command = new Command(name, description) { id };
        cli.OnHub(command, async context =>
        {
            var member = await change(new Staff.StaffClient(context.Hub.Channel), new StaffMemberRequest { StaffId = context.Value(id) }, context.Call).ConfigureAwait(false);
            context.Output.Record(member, Fields(member));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string RoleName(StaffRole role) => role switch
    {
        StaffRole.Member => "member",
        StaffRole.PartyAdministrator => "party-administrator",
        _ => "unspecified",
    };

    private static StaffRole ParseRole(string? role) => role == "party-administrator" ? StaffRole.PartyAdministrator : StaffRole.Member;
}
