using System.CommandLine;
using System.Globalization;
using Exchange.Contracts.V1;
using Grpc.Core;

namespace Exchange.Cli.Commands;

/// <summary>
/// The operator's oversight: <c>exchange retention run|runs</c>, <c>exchange incident scope</c>
/// and <c>exchange exceptional record|list</c>. Administrators only.
/// </summary>
internal static class OversightCommands
{
    public static Command Retention(ExchangeCli cli) => new("retention", "Dispose of personal data past its retention period, and see earlier disposals")
    {
        Run(cli),
        Runs(cli),
    };

    public static Command Incident(ExchangeCli cli) => new("incident", "Judge an incident: who received whose data")
    {
        Scope(cli),
    };

    public static Command Exceptional(ExchangeCli cli) => new("exceptional", "Record provisions made on an exceptional legal ground (courts, police), outside joint use")
    {
        Record(cli),
        ListExceptional(cli),
    };

    private static Command Run(ExchangeCli cli)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be disposed of; dispose of nothing" };
        var command = new Command("run", "Run the disposal now (the hub runs it daily): expired customer records, withdrawn garages' records after their notice, old log entries' subject IDs") { dryRun };
        cli.OnHub(command, async context =>
        {
            var run = await new Oversight.OversightClient(context.Hub.Channel).RunRetentionAsync(new RunRetentionRequest { DryRun = context.Value(dryRun) }, context.Call).ConfigureAwait(false);
            context.Output.List(run, run.Disposed, ("KIND", d => d.Kind), (run.DryRun ? "WOULD DISPOSE" : "DISPOSED", d => Number(d.Count)), ("OLDER THAN", d => CliOutput.Time(d.Cutoff)));
            context.Output.Hint($"run {run.Id}{(run.DryRun ? " (dry run: nothing was disposed of)" : "")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Runs(ExchangeCli cli)
    {
        var limit = new Option<int>("--limit") { Description = "At most this many runs [default: 100]" };
        var command = new Command("runs", "Earlier disposal runs, newest first") { limit };
        cli.OnHub(command, async context =>
        {
            var reply = await new Oversight.OversightClient(context.Hub.Channel).ListRetentionRunsAsync(new ListRetentionRunsRequest { Limit = context.Value(limit) }, context.Call).ConfigureAwait(false);
            context.Output.List(
                reply,
                reply.Runs,
                ("RUN", r => r.Id),
                ("STARTED", r => CliOutput.Time(r.StartedAt)),
                ("BY", r => r.RunBy),
                ("DRY", r => r.DryRun ? "yes" : "no"),
                ("DISPOSED", r => string.Join(", ", r.Disposed.Select(d => $"{d.Kind} {Number(d.Count)}"))));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Scope(ExchangeCli cli)
    {
        var party = new Argument<string>("party") { Description = "The party whose receipts are in question, e.g. the owner of a compromised certificate" };
        var from = new Option<string>("--from") { Description = "The window's start, ISO 8601 (UTC unless an offset is given)", HelpName = "time", Required = true };
        var to = new Option<string>("--to") { Description = "The window's end, excluded [default: now]", HelpName = "time" };
        var persons = new Option<bool>("--persons") { Description = "List every affected person (subject ID and record), not only the counts" };
        var command = new Command("scope", "Every person whose data a party received in a window, with counts by item: what an APPI Art. 26 report needs") { party, from, to, persons };
        cli.OnHub(command, async context =>
        {
            var request = new GetIncidentScopeRequest
            {
                Party = context.Value(party)!,
                From = CliOutput.ParseTime(context.Value(from), "--from"),
                To = CliOutput.ParseTime(context.Value(to), "--to") ?? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(context.Environment.Time.GetUtcNow()),
            };
            var client = new Oversight.OversightClient(context.Hub.Channel);
            var scope = await client.GetIncidentScopeAsync(request, context.Call).ConfigureAwait(false);
            if (context.Value(persons))
            {
                using var stream = client.ListIncidentPersons(request, context.Call);
                var all = new IncidentPersons();
                await foreach (var page in stream.ResponseStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
                {
                    all.Persons.AddRange(page.Persons);
                }

                context.Output.List(all, all.Persons, ("SUBJECT", a => a.SubjectId), ("GARAGE", a => a.Record?.OwnerParty ?? ""), ("CUSTOMER", a => a.Record?.CustomerRef ?? "(disposed of)"), ("PROVISIONS", a => Number(a.Provisions)), ("SENSITIVE", a => a.Sensitive ? "yes" : "no"), ("ITEMS", a => string.Join(',', a.Items)));
            }
            else
            {
                context.Output.List(scope, scope.Items, ("ITEM", i => i.Item), ("NAME", i => i.ItemNameJa), ("PERSONS", i => Number(i.Persons)), ("PROVISIONS", i => Number(i.Provisions)), ("SENSITIVE", i => i.Sensitive ? "yes" : "no"));
            }

            context.Output.Hint($"{Number(scope.Persons)} person(s) in {Number(scope.Provisions)} provision(s) to {scope.Party}; "
                + (scope.ReportRequired ? "a report to the Personal Information Protection Commission is due (APPI Art. 26)." : "not reportable by size or items alone; judge the other grounds of Art. 26."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Record(ExchangeCli cli)
    {
        var records = new Option<string[]>("--record") { Description = "A record provided, as garage/customer-ref; repeat for several", HelpName = "garage/ref", Required = true, AllowMultipleArgumentsPerToken = false };
        var items = new Option<string[]>("--item") { Description = "A declared item or group provided, e.g. contact.name or vehicle; repeat for several", HelpName = "item", Required = true };
        var authority = new Option<string>("--authority") { Description = "The requesting authority, e.g. 神奈川県警察 港北警察署", Required = true };
        var basis = new Option<string>("--basis") { Description = "The legal ground: laws-and-regulations, protection-of-life-or-property, public-health or cooperation-with-authorities", Required = true };
        var particulars = new Option<string>("--particulars") { Description = "The statute and the document's reference" };
        var disclose = new Option<bool?>("--disclose-to-person") { Description = "Whether the persons' reports may show it [default: the hub's setting]" };
        var providedAt = new Option<string>("--provided-at") { Description = "When the data was handed over [default: now]", HelpName = "time" };
        var command = new Command("record", "Record a provision to an authority on an exceptional legal ground (APPI Art. 27(1))") { records, items, authority, basis, particulars, disclose, providedAt };
        var bases = Enum.GetValues<LegalBasis>().Where(b => b != LegalBasis.Unspecified).ToDictionary(b => CliOutput.Name(b), b => b, StringComparer.Ordinal);
        basis.Validators.Add(result =>
        {
            if (!bases.ContainsKey(result.GetValueOrDefault<string>() ?? ""))
            {
                result.AddError($"--basis must be one of {string.Join(", ", bases.Keys)}.");
            }
        });
        records.Validators.Add(result =>
        {
            foreach (var text in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (KeyOf(text) is null)
                {
                    result.AddError($"--record '{text}' must be garage/customer-ref, e.g. garage-kaminoyama/C-1001.");
                }
            }
        });
        cli.OnHub(command, async context =>
        {
            var request = new RecordExceptionalProvisionRequest
            {
                Records = { (context.Value(records) ?? []).Select(r => KeyOf(r)!) },
                Items = { context.Value(items) ?? [] },
                Authority = context.Value(authority)!,
                LegalBasis = bases[context.Value(basis)!],
                Particulars = context.Value(particulars) ?? "",
                ProvidedAt = CliOutput.ParseTime(context.Value(providedAt), "--provided-at"),
            };
            if (context.Value(disclose) is { } shown)
            {
                request.DiscloseToSubject = shown;
            }

            var provision = await new Oversight.OversightClient(context.Hub.Channel).RecordExceptionalProvisionAsync(request, context.Call).ConfigureAwait(false);
            context.Output.Record(provision, Fields(provision));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListExceptional(ExchangeCli cli)
    {
        var limit = new Option<int>("--limit") { Description = "At most this many [default: 100]" };
        var command = new Command("list", "Exceptional provisions, newest first") { limit };
        cli.OnHub(command, async context =>
        {
            var reply = await new Oversight.OversightClient(context.Hub.Channel).ListExceptionalProvisionsAsync(new ListExceptionalProvisionsRequest { Limit = context.Value(limit) }, context.Call).ConfigureAwait(false);
            context.Output.List(
                reply,
                reply.Provisions,
                ("ID", p => p.Id),
                ("PROVIDED", p => CliOutput.Time(p.ProvidedAt)),
                ("AUTHORITY", p => p.Authority),
                ("BASIS", p => CliOutput.Name(p.LegalBasis)),
                ("PERSONS", p => Number(p.SubjectIds.Count)),
                ("SHOWN", p => p.DiscloseToSubject ? "yes" : "no"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static (string Name, string Value)[] Fields(ExceptionalProvision provision) =>
    [
        ("id", provision.Id),
        ("authority", provision.Authority),
        ("legal basis", CliOutput.Name(provision.LegalBasis)),
        ("particulars", provision.Particulars),
        ("persons", Number(provision.SubjectIds.Count)),
        ("items", string.Join(',', provision.Items)),
        ("provided", CliOutput.Time(provision.ProvidedAt)),
        ("shown to the persons", provision.DiscloseToSubject ? "yes" : "no"),
        ("log entries", string.Join(',', provision.Sequences)),
    ];

    private static CustomerKey? KeyOf(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 || slash == text.Length - 1 ? null : new CustomerKey { OwnerParty = text[..slash], CustomerRef = text[(slash + 1)..] };
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
