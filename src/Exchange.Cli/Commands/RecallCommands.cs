using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Exchange.Contracts.V1;

namespace Exchange.Cli.Commands;

/// <summary>
/// <c>exchange recall create|revise|list|status|export</c>: the group body's and administrators'
/// side of recall campaigns. Progress and the export are counts only: no personal data.
/// </summary>
internal static class RecallCommands
{
    private static readonly string[] RangeSeparators = ["..", "~", "〜"];

    public static Command Create(ExchangeCli cli) => new("recall", "Register recall campaigns and follow their progress: the hub notifies the garages owning affected vehicles")
    {
        Publish(cli, revise: false),
        Publish(cli, revise: true),
        List(cli),
        Status(cli),
        Export(cli),
    };

    /// <summary>Parses "ZVW30-1000001..ZVW30-1250000" (or ～, ~): both ends with the same frame part.</summary>
    public static bool TryParseRange(string text, out ChassisRange range, out string error)
    {
        range = new ChassisRange();
        // Full-width as half-width (NFKC), as the hub compares chassis numbers.
        text = text.Normalize(System.Text.NormalizationForm.FormKC);
        var parts = RangeSeparators.Select(s => text.Split(s)).FirstOrDefault(p => p.Length == 2);
        if (parts is null)
        {
            error = $"'{text}' is not a chassis range: write FROM..TO, e.g. ZVW30-1000001..ZVW30-1250000";
            return false;
        }

        if (!TrySplitChassis(parts[0].Trim(), out var frame, out var from) || !TrySplitChassis(parts[1].Trim(), out var frameTo, out var to))
        {
            error = $"'{text}': each end must be a chassis number with its frame part, e.g. ZVW30-1000001";
            return false;
        }

        if (!string.Equals(frame, frameTo, StringComparison.OrdinalIgnoreCase) || from > to)
        {
            error = $"'{text}': both ends must have the same frame part, and the first must not be after the second";
            return false;
        }

        range = new ChassisRange { FramePrefix = frame, SerialFrom = from, SerialTo = to };
        error = "";
        return true;
    }

    /// <summary>The counts of a campaign as CSV (RFC 4180) for the manufacturer's report: one row per garage, then the total.</summary>
    public static string ProgressCsv(CampaignProgress progress, Campaign campaign)
    {
        var lines = new List<string>
        {
            Csv("recall_number", "manufacturer", "version", "garage_party", "garage_name", "affected", "notified", "acknowledged", "contacted", "repaired"),
        };
        var manufacturer = campaign.Definition.Manufacturer;
        lines.AddRange(progress.Garages.Select(g => Csv([progress.RecallNumber, manufacturer, Number(progress.Version), g.GarageParty, g.GarageNameJa, .. Counts(g.Counts)])));
        lines.Add(Csv([progress.RecallNumber, manufacturer, Number(progress.Version), "total", "", .. Counts(progress.Total)]));
        return string.Concat(lines.Select(l => l + "\r\n"));
    }

    private static Command Publish(ExchangeCli cli, bool revise)
    {
        var number = new Argument<string>("recall-number") { Description = "届出番号, e.g. 5432 or 外-3210" };
        var manufacturer = new Option<string>("--manufacturer") { Description = "The manufacturer, e.g. トヨタ自動車株式会社", Required = true };
        var models = new Option<string[]>("--model") { Description = "An affected model code (型式), e.g. DAA-ZVW30; repeat for several [default: any model in the ranges]", HelpName = "code", AllowMultipleArgumentsPerToken = false };
        var ranges = new Option<string[]>("--range") { Description = "An affected chassis-number range, both ends included, e.g. ZVW30-1000001..ZVW30-1250000; repeat for several", HelpName = "from..to", Required = true };
        var registeredFrom = new Option<string>("--registered-from") { Description = "Only vehicles first registered in or after this month, e.g. 2009-05", HelpName = "yyyy-mm" };
        var registeredTo = new Option<string>("--registered-to") { Description = "Only vehicles first registered in or before this month", HelpName = "yyyy-mm" };
        var descriptionJa = new Option<string>("--description-ja") { Description = "不具合の内容 (Japanese)", Required = true };
        var descriptionEn = new Option<string>("--description-en") { Description = "The defect, in English" };
        var remedyJa = new Option<string>("--remedy-ja") { Description = "改善措置の内容 (Japanese)", Required = true };
        var remedyEn = new Option<string>("--remedy-en") { Description = "The remedy, in English" };
        var startsOn = new Option<string>("--starts-on") { Description = "The day the garages are notified from", HelpName = "yyyy-mm-dd", Required = true };
        var expected = new Option<int>("--expected-version") { Description = "The version this one replaces (as 'exchange recall list' shows it)", Required = true };
        var command = revise
            ? new Command("revise", "Publish the next version of a campaign: vehicles it adds are notified; vehicles already affected keep their notices and progress")
            : new Command("create", "Register a recall campaign (group body or administrator): the hub matches it against every member's vehicles at once and as they are written");
        command.Arguments.Add(number);
        foreach (var option in new Option[] { manufacturer, models, ranges, registeredFrom, registeredTo, descriptionJa, descriptionEn, remedyJa, remedyEn, startsOn })
        {
            command.Options.Add(option);
        }

        if (revise)
        {
            command.Options.Add(expected);
        }

        ranges.Validators.Add(result =>
        {
            foreach (var text in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (!TryParseRange(text, out _, out var error))
                {
                    result.AddError(error);
                }
            }
        });
        registeredFrom.Validators.Add(result => ValidateMonth(result, registeredFrom.Name));
        registeredTo.Validators.Add(result => ValidateMonth(result, registeredTo.Name));
        startsOn.Validators.Add(result =>
        {
            if (!DateOnly.TryParseExact(result.GetValueOrDefault<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                result.AddError("--starts-on must be a date written yyyy-mm-dd.");
            }
        });
        cli.OnHub(command, async context =>
        {
            var definition = new CampaignDefinition
            {
                RecallNumber = context.Value(number),
                Manufacturer = context.Value(manufacturer),
                ModelCodes = { context.Value(models) ?? [] },
                ChassisRanges = { (context.Value(ranges) ?? []).Select(r => TryParseRange(r, out var range, out _) ? range : throw new InvalidOperationException(r)) },
                FirstRegisteredFrom = Month(context.Value(registeredFrom)),
                FirstRegisteredTo = Month(context.Value(registeredTo)),
                DescriptionJa = context.Value(descriptionJa),
                DescriptionEn = context.Value(descriptionEn) ?? "",
                RemedyJa = context.Value(remedyJa),
                RemedyEn = context.Value(remedyEn) ?? "",
                StartsOn = Day(context.Value(startsOn)!),
            };
            var client = new Recalls.RecallsClient(context.Hub.Channel);
            var change = revise
                ? await client.ReviseCampaignAsync(new ReviseCampaignRequest { Campaign = definition, ExpectedVersion = context.Value(expected) }, context.Call).ConfigureAwait(false)
                : await client.CreateCampaignAsync(new CreateCampaignRequest { Campaign = definition }, context.Call).ConfigureAwait(false);
            context.Output.Record(change, [.. Fields(change.Campaign), ("newly affected", Number(change.NewlyAffected))]);
            context.Output.Hint($"Follow it with 'exchange recall status {change.Campaign.Definition.RecallNumber}'.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(ExchangeCli cli)
    {
        var command = new Command("list", "List recall campaigns, newest first");
        cli.OnHub(command, async context =>
        {
            var reply = await new Recalls.RecallsClient(context.Hub.Channel).ListCampaignsAsync(new ListCampaignsRequest(), context.Call).ConfigureAwait(false);
            context.Output.List(
                reply,
                reply.Campaigns,
                ("RECALL", c => c.Definition.RecallNumber),
                ("VERSION", c => Number(c.Version)),
                ("STARTS", c => Date(c.Definition.StartsOn)),
                ("AFFECTED", c => Number(c.Affected)),
                ("MANUFACTURER", c => c.Definition.Manufacturer),
                ("MODELS", c => c.Definition.ModelCodes.Count == 0 ? "any" : string.Join(',', c.Definition.ModelCodes)));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Status(ExchangeCli cli)
    {
        var number = new Argument<string>("recall-number") { Description = "The campaign's 届出番号" };
        var command = new Command("status", "A campaign's progress: vehicles affected, notified, acknowledged, contacted and repaired, by garage and in total") { number };
        cli.OnHub(command, async context =>
        {
            var progress = await new Recalls.RecallsClient(context.Hub.Channel).GetProgressAsync(new GetProgressRequest { RecallNumber = context.Value(number) }, context.Call).ConfigureAwait(false);
            var rows = progress.Garages.Append(new GarageProgress { GarageParty = "total", Counts = progress.Total }).ToList();
            context.Output.List(
                progress,
                rows,
                ("GARAGE", g => g.GarageParty),
                ("AFFECTED", g => Number(g.Counts.Affected)),
                ("NOTIFIED", g => Number(g.Counts.Notified)),
                ("ACKNOWLEDGED", g => Number(g.Counts.Acknowledged)),
                ("CONTACTED", g => Number(g.Counts.Contacted)),
                ("REPAIRED", g => Number(g.Counts.Repaired)),
                ("NAME", g => g.GarageNameJa));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Export(ExchangeCli cli)
    {
        var number = new Argument<string>("recall-number") { Description = "The campaign's 届出番号" };
        var file = new Option<string>("--file") { Description = "Write the CSV to this file [default: standard output]", HelpName = "path" };
        var command = new Command("export", "The campaign's counts as CSV for the manufacturer's report: one row per garage and a total; no personal data") { number, file };
        cli.OnHub(command, async context =>
        {
            var client = new Recalls.RecallsClient(context.Hub.Channel);
            var progress = await client.GetProgressAsync(new GetProgressRequest { RecallNumber = context.Value(number) }, context.Call).ConfigureAwait(false);
            var campaign = await client.GetCampaignAsync(new GetCampaignRequest { RecallNumber = context.Value(number), Version = progress.Version }, context.Call).ConfigureAwait(false);
            var csv = ProgressCsv(progress, campaign);
            if (context.Value(file) is { Length: > 0 } path)
            {
                var resolved = context.Environment.Resolve(path);
                await File.WriteAllTextAsync(resolved, csv, context.CancellationToken).ConfigureAwait(false);
                context.Output.Hint($"wrote {progress.Garages.Count} garage(s) and the total to {resolved}");
            }
            else
            {
                context.Environment.Out.Write(csv);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static (string, string)[] Fields(Campaign campaign) =>
    [
        ("recall number", campaign.Definition.RecallNumber),
        ("version", Number(campaign.Version)),
        ("manufacturer", campaign.Definition.Manufacturer),
        ("models", campaign.Definition.ModelCodes.Count == 0 ? "any" : string.Join(", ", campaign.Definition.ModelCodes)),
        ("ranges", string.Join(", ", campaign.Definition.ChassisRanges.Select(r => $"{r.FramePrefix}-{Number(r.SerialFrom)}..{r.FramePrefix}-{Number(r.SerialTo)}"))),
        ("starts on", Date(campaign.Definition.StartsOn)),
        ("published by", campaign.PublishedBy),
        ("published", CliOutput.Time(campaign.PublishedAt)),
        ("affected", Number(campaign.Affected)),
    ];

    // The serial part after the last hyphen; the frame part before it.
    private static bool TrySplitChassis(string chassis, out string frame, out long serial)
    {
        var hyphen = chassis.LastIndexOfAny(['-', 'ー', '‐', '−']);
        frame = hyphen > 0 ? chassis[..hyphen] : "";
        serial = 0;
        return hyphen > 0 && long.TryParse(chassis.AsSpan(hyphen + 1), NumberStyles.None, CultureInfo.InvariantCulture, out serial);
    }

    private static void ValidateMonth(OptionResult result, string name)
    {
        if (result.GetValueOrDefault<string>() is { } text && Month(text) is null)
        {
            result.AddError($"{name} must be a month written yyyy-mm.");
        }
    }

    private static Date? Month(string? text) =>
        DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) ? new Date { Year = month.Year, Month = month.Month } : null;

    private static Date Day(string text)
    {
        var day = DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new Date { Year = day.Year, Month = day.Month, Day = day.Day };
    }

    private static string Date(Date? date) => date is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{date.Year:D4}-{date.Month:D2}-{date.Day:D2}");

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string[] Counts(ProgressCounts counts) =>
        [Number(counts.Affected), Number(counts.Notified), Number(counts.Acknowledged), Number(counts.Contacted), Number(counts.Repaired)];

    // RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.
    private static string Csv(params string[] fields) =>
        string.Join(',', fields.Select(f => f.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : f));
}
