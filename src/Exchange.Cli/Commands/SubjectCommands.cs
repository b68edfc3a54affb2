using System.CommandLine;
using System.Globalization;
using Exchange.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Exchange.Cli.Commands;

/// <summary>
/// <c>exchange subject requests|open|verify|execute|report|correct|erase|stop|ack</c>: a person's
/// requests relayed by their garage or an inquiry desk, and a partner's acknowledgement of what
/// reached it. correct, erase and stop open, verify and execute in one go when given the
/// verification (--verified-by and --method); without it they only open the request.
/// </summary>
internal static class SubjectCommands
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation());
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    public static Command Create(ExchangeCli cli) => new("subject", "A person's requests (本人からの請求): disclosure, provision records, correction, deletion, cessation; and acknowledging what the feed brought you")
    {
        Requests(cli),
        Open(cli),
        Verify(cli),
        Execute(cli),
        Report(cli),
        Correct(cli),
        Erase(cli),
        Stop(cli),
        Acknowledge(cli),
    };

    /// <summary>The CLI's name of a kind: SUBJECT_REQUEST_KIND_CESSATION_OF_USE is "cessation-of-use".</summary>
    public static string KindName(SubjectRequestKind kind) => CliOutput.Name(kind);

    private static Command Requests(ExchangeCli cli)
    {
        var status = new Option<string>("--status") { Description = "Only requests in this status" };
        status.AcceptOnlyFromAmong([.. Names<SubjectRequestStatus>()]);
        var owner = new Option<string>("--owner") { Description = "Only requests about this garage's records", HelpName = "party" };
        var limit = new Option<int>("--limit") { Description = "At most this many (1 to 1000) [default: 100]" };
        var page = new Option<string>("--page-token") { Description = "Go on from an earlier listing's next page token" };
        var command = new Command("requests", "List the requests you may read, newest first") { status, owner, limit, page };
        cli.OnHub(command, async context =>
        {
            var request = new ListRequestsRequest
            {
                Status = context.Value(status) is { } s ? Parse<SubjectRequestStatus>(s) : SubjectRequestStatus.Unspecified,
                OwnerParty = context.Value(owner) ?? "",
                Limit = context.Value(limit),
                PageToken = context.Value(page) ?? "",
            };
            var reply = await Client(context).ListRequestsAsync(request, context.Call).ConfigureAwait(false);
            context.Output.List(
                reply,
                reply.Requests,
                ("ID", r => r.Id),
                ("KIND", r => KindName(r.Kind)),
                ("STATUS", r => CliOutput.Name(r.Status)),
                ("OPENED", r => CliOutput.Time(r.OpenedAt)),
                ("BY", r => r.OpenedBy),
                ("RECORDS", r => string.Join(',', r.Records.Select(k => $"{k.OwnerParty}:{k.CustomerRef}"))),
                ("ACKNOWLEDGED", r => r.Propagations.Count == 0 ? "-" : $"{r.Propagations.Count(p => p.Outcome != PropagationOutcome.Pending)}/{r.Propagations.Count}"));
            if (reply.NextPageToken.Length > 0)
            {
                context.Output.Hint($"More follow: --page-token {reply.NextPageToken}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Open(ExchangeCli cli)
    {
        var kind = new Argument<string>("kind") { Description = "What the person asks for" };
        kind.AcceptOnlyFromAmong([.. Names<SubjectRequestKind>()]);
        var records = RecordsArgument();
        var owner = OwnerOption();
        var verification = new VerificationOptions();
        var purposes = PurposeOption();
        var correction = CorrectionOption();
        var command = new Command("open", "Record a person's request (verify it now with --verified-by and --method, or later with 'verify')") { kind, records, owner, purposes, correction };
        verification.AddTo(command);
        cli.OnHub(command, async context =>
        {
            var request = await OpenRequestAsync(context, Parse<SubjectRequestKind>(context.Value(kind)!), records, owner, purposes, correction).ConfigureAwait(false);
            request.Verification = verification.From(context);
            var opened = await Client(context).OpenRequestAsync(request, context.Call).ConfigureAwait(false);
            Print(context, opened);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Verify(ExchangeCli cli)
    {
        var id = RequestIdArgument();
        var verification = new VerificationOptions(required: true);
        var command = new Command("verify", "Record how the person's identity was verified (本人確認)") { id };
        verification.AddTo(command);
        cli.OnHub(command, async context =>
        {
            var verified = await Client(context).RecordVerificationAsync(new RecordVerificationRequest { RequestId = context.Value(id), Verification = verification.From(context) }, context.Call).ConfigureAwait(false);
            Print(context, verified);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Execute(ExchangeCli cli)
    {
        var id = RequestIdArgument();
        var command = new Command("execute", "Execute a verified correction, deletion or cessation: applied at the hub and sent to every partner that received the data") { id };
        cli.OnHub(command, async context =>
        {
            Print(context, await Client(context).ExecuteRequestAsync(new ExecuteRequestRequest { RequestId = context.Value(id) }, context.Call).ConfigureAwait(false));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Report(ExchangeCli cli)
    {
        var id = RequestIdArgument();
        var html = new Option<string>("--html") { Description = "Write the report as a Japanese HTML document (to print and hand to the person) to this file", HelpName = "file" };
        var proofs = new Option<bool>("--with-proofs") { Description = "Add each listed entry's inclusion proof against the latest cosigned checkpoint (issue 23's transparency log)" };
        var command = new Command("report", "A person's provision records (第三者提供記録), for a verified request of that kind: the JSON, or the document with --html") { id, html, proofs };
        cli.OnHub(command, async context =>
        {
            var path = context.Value(html);
            var report = await Client(context).GetProvisionReportAsync(new GetProvisionReportRequest { RequestId = context.Value(id), OmitDocument = path is null, WithProofs = context.Value(proofs) }, context.Call).ConfigureAwait(false);
            if (path is null)
            {
                context.Environment.Out.WriteLine(Json.Format(report));
                return ExitCodes.Success;
            }

            if (report.DocumentHtml.Length == 0)
            {
                context.Output.Hint("The hub returned no document; run without --html for the data.");
                return ExitCodes.Failure;
            }

            var resolved = context.Environment.Resolve(path);
            await File.WriteAllTextAsync(resolved, report.DocumentHtml, context.CancellationToken).ConfigureAwait(false);
            context.Output.Hint($"wrote the report of {report.Provisions.Count} provision(s) to {resolved}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Correct(ExchangeCli cli)
    {
        var records = RecordsArgument();
        var owner = OwnerOption();
        var correction = CorrectionOption();
        correction.Required = true;
        var verification = new VerificationOptions();
        var command = new Command("correct", "Correct items of one record (訂正) at the hub and at every partner that received it") { records, owner, correction };
        verification.AddTo(command);
        cli.OnHub(command, context => RunAsync(context, SubjectRequestKind.Correction, records, owner, null, correction, verification));
        return command;
    }

    private static Command Erase(ExchangeCli cli)
    {
        var records = RecordsArgument();
        var owner = OwnerOption();
        var verification = new VerificationOptions();
        var command = new Command("erase", "Delete the person's records (削除) at the hub and at every partner that received them") { records, owner };
        verification.AddTo(command);
        cli.OnHub(command, context => RunAsync(context, SubjectRequestKind.Deletion, records, owner, null, null, verification));
        return command;
    }

    private static Command Stop(ExchangeCli cli)
    {
        var records = RecordsArgument();
        var owner = OwnerOption();
        var purposes = PurposeOption();
        var verification = new VerificationOptions();
        var command = new Command("stop", "Stop providing the records for the purposes given (第三者提供の停止), or every use a person may stop (利用停止) without --purpose; recall notices always continue") { records, owner, purposes };
        verification.AddTo(command);
        cli.OnHub(command, context => RunAsync(context, context.Value(purposes) is { Length: > 0 } ? SubjectRequestKind.CessationOfProvision : SubjectRequestKind.CessationOfUse, records, owner, purposes, null, verification));
        return command;
    }

    private static Command Acknowledge(ExchangeCli cli)
    {
        var id = RequestIdArgument();
        var notApplied = new Option<string>("--not-applied") { Description = "The ground on which you did not apply it", HelpName = "ground" };
        notApplied.AcceptOnlyFromAmong([.. Names<RefusalGround>()]);
        var reason = new Option<string>("--reason") { Description = "Why (required with --not-applied)" };
        var command = new Command("ack", "Acknowledge a correction, deletion or cessation the feed brought you: applied, or not applied on a ground the policies allow") { id, notApplied, reason };
        cli.OnHub(command, async context =>
        {
            var request = new AcknowledgePropagationRequest { RequestId = context.Value(id), Outcome = PropagationOutcome.Applied };
            if (context.Value(notApplied) is { } ground)
            {
                request.Outcome = PropagationOutcome.NotApplied;
                request.RefusalGround = Parse<RefusalGround>(ground);
                request.RefusalReason = context.Value(reason) ?? "";
            }

            var propagation = await Client(context).AcknowledgePropagationAsync(request, context.Call).ConfigureAwait(false);
            context.Output.Record(propagation, ("request", propagation.RequestId), ("partner", propagation.Partner), ("outcome", CliOutput.Name(propagation.Outcome)), ("acknowledged", CliOutput.Time(propagation.AcknowledgedAt)));
            return ExitCodes.Success;
        });
        return command;
    }

    // Open, and with a verification also execute: one step for the desk that saw the person.
    private static async Task<int> RunAsync(CommandContext context, SubjectRequestKind kind, Argument<string[]> records, Option<string> owner, Option<string[]>? purposes, Option<string>? correction, VerificationOptions verification)
    {
        var request = await OpenRequestAsync(context, kind, records, owner, purposes, correction).ConfigureAwait(false);
        request.Verification = verification.From(context);
        var client = Client(context);
        var opened = await client.OpenRequestAsync(request, context.Call).ConfigureAwait(false);
        if (opened.Status != SubjectRequestStatus.Verified)
        {
            Print(context, opened);
            context.Output.Hint($"Record the identity verification with 'exchange subject verify {opened.Id} --verified-by … --method …', then 'exchange subject execute {opened.Id}'.");
            return ExitCodes.Success;
        }

        Print(context, await client.ExecuteRequestAsync(new ExecuteRequestRequest { RequestId = opened.Id }, context.Call).ConfigureAwait(false));
        return ExitCodes.Success;
    }

    private static async Task<OpenRequestRequest> OpenRequestAsync(CommandContext context, SubjectRequestKind kind, Argument<string[]> records, Option<string> owner, Option<string[]>? purposes, Option<string>? correction)
    {
        var ownerParty = context.Value(owner) is { Length: > 0 } named ? named : context.Hub.PartyId;
        var request = new OpenRequestRequest { Kind = kind };
        request.Records.AddRange((context.Value(records) ?? []).Select(r => new CustomerKey { OwnerParty = ownerParty, CustomerRef = r }));
        if (purposes is not null)
        {
            request.Purposes.AddRange(context.Value(purposes) ?? []);
        }

        if (correction is not null && context.Value(correction) is { } path)
        {
            var text = await File.ReadAllTextAsync(context.Environment.Resolve(path), context.CancellationToken).ConfigureAwait(false);
            request.Correction = Parser.Parse<CustomerRecord>(text);
        }

        return request;
    }

    private static void Print(CommandContext context, SubjectRequest request) =>
        context.Output.Record(
            request,
            ("id", request.Id),
            ("kind", KindName(request.Kind)),
            ("status", CliOutput.Name(request.Status)),
            ("records", string.Join(", ", request.Records.Select(k => $"{k.OwnerParty}:{k.CustomerRef}"))),
            ("subjects", string.Join(", ", request.SubjectIds)),
            ("opened", $"{CliOutput.Time(request.OpenedAt)} by {request.OpenedBy}"),
            ("verified", request.Verification is { } v ? $"{CliOutput.Name(v.Method)} by {v.VerifiedBy} at {CliOutput.Time(v.VerifiedAt)}" : "no"),
            ("propagations", request.Propagations.Count == 0 ? "none" : string.Join(", ", request.Propagations.Select(p => $"{p.Partner} {CliOutput.Name(p.Outcome)}"))));

    private static Subjects.SubjectsClient Client(CommandContext context) => new(context.Hub.Channel);

    private static Argument<string> RequestIdArgument() => new("request-id") { Description = "The request's ID, e.g. req_3f…" };

    private static Argument<string[]> RecordsArgument() => new("customer-ref") { Description = "The garage's customer reference(s) of the person", Arity = ArgumentArity.OneOrMore };

    private static Option<string> OwnerOption() => new("--owner") { Description = "The garage holding the records [default: your own party]", HelpName = "party" };

    private static Option<string[]> PurposeOption() => new("--purpose") { Description = "A purpose to stop providing for, e.g. marketing; repeat for several", HelpName = "purpose" };

    private static Option<string> CorrectionOption() => new("--correction") { Description = "A JSON file of a customer record holding only the items to correct, e.g. {\"contact\":{\"phone\":\"023-672-9999\"}}", HelpName = "file" };

    private static IEnumerable<string> Names<T>()
        where T : struct, System.Enum => System.Enum.GetValues<T>().Where(v => Convert.ToInt32(v, CultureInfo.InvariantCulture) != 0).Select(v => CliOutput.Name(v));

    private static T Parse<T>(string name)
        where T : struct, System.Enum => System.Enum.GetValues<T>().First(v => CliOutput.Name(v) == name);

    /// <summary>The identity verification's options, shared by the commands that record one.</summary>
    private sealed class VerificationOptions(bool required = false)
    {
        private readonly Option<string> _by = new("--verified-by") { Description = "Who verified the person's identity (staff name or ID)", Required = required };
        private readonly Option<string> _method = Method(required);
        private readonly Option<DateTimeOffset?> _at = new("--verified-at") { Description = "When [default: now]", HelpName = "time" };
        private readonly Option<string> _note = new("--note") { Description = "Which documents were seen, never their numbers" };

        public void AddTo(Command command)
        {
            command.Options.Add(_by);
            command.Options.Add(_method);
            command.Options.Add(_at);
            command.Options.Add(_note);
            command.Validators.Add(result =>
            {
                if ((result.GetResult(_by) is null) != (result.GetResult(_method) is null))
                {
                    result.AddError("--verified-by and --method go together.");
                }
            });
        }

        public IdentityVerification? From(CommandContext context) =>
            context.Value(_by) is { } by
                ? new IdentityVerification
                {
                    VerifiedBy = by,
                    Method = Parse<VerificationMethod>(context.Value(_method)!),
                    VerifiedAt = Timestamp.FromDateTimeOffset(context.Value(_at) ?? DateTimeOffset.UtcNow),
                    Note = context.Value(_note) ?? "",
                }
                : null;

        private static Option<string> Method(bool required)
        {
            var option = new Option<string>("--method") { Description = "How the identity was verified", Required = required };
            option.AcceptOnlyFromAmong([.. Names<VerificationMethod>()]);
            return option;
        }
    }
}
