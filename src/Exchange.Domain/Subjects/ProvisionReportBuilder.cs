using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Domain.Provisions;
using Google.Protobuf.WellKnownTypes;

namespace Exchange.Domain.Subjects;

/// <summary>
/// Builds a person's provision report (第三者提供記録) from their provision-log entries: every
/// provision of their data to a party other than the one it came from, oldest first, with the
/// parties' legal names and the items' and purpose's declared Japanese names; every other entry
/// (receipts, refusals, opt-outs, deletions, a garage's own use) summarised by outcome and rule.
/// An exceptional provision (to an authority, on a legal ground) is listed only where its record
/// lets the person see it; otherwise it is left out entirely, not even counted.
/// </summary>
public static class ProvisionReportBuilder
{
    /// <summary>The summary outcome of a party's provision of its own record to itself.</summary>
    public const string OwnUse = "own-use";

    /// <summary>Builds the report's data part from <paramref name="entries"/> (any order, no duplicates).</summary>
    /// <param name="requestId">The request the report answers.</param>
    /// <param name="subjectIds">The person's subject IDs.</param>
    /// <param name="entries">The provision-log entries about them.</param>
    /// <param name="declarations">Every declaration version, by number.</param>
    /// <param name="partyNames">Legal names (Japanese) by party ID; a party not in it is shown by its ID.</param>
    /// <param name="exceptional">The exceptional provisions the exceptional entries record, by sequence.</param>
    /// <param name="now">When the report is made.</param>
    /// <param name="showStaff">Whether each listed provision names the staff member who acted (<see cref="SubjectSettings.ShowActingStaff"/>).</param>
    public static ProvisionReport Build(string requestId, IReadOnlyList<string> subjectIds, IEnumerable<ChainedProvision> entries,
        IReadOnlyDictionary<int, DeclarationRecord> declarations, IReadOnlyDictionary<string, string> partyNames, IReadOnlyDictionary<long, ExceptionalProvision> exceptional, DateTimeOffset now,
        bool showStaff = false)
    {
        ArgumentNullException.ThrowIfNull(exceptional);
        // Each version's item names once, not once per listed entry.
        var itemNames = declarations.ToDictionary(d => d.Key, d => d.Value.Content.Items.ToDictionary(i => i.Id, i => i.Name?.Ja ?? i.Id, StringComparer.Ordinal));
        ArgumentNullException.ThrowIfNull(subjectIds);
        ArgumentNullException.ThrowIfNull(declarations);
        ArgumentNullException.ThrowIfNull(partyNames);
        var report = new ProvisionReport { RequestId = requestId, GeneratedAt = Timestamp.FromDateTimeOffset(now) };
        report.SubjectIds.AddRange(subjectIds);
        var summary = new SortedDictionary<(string Outcome, string Rule), ReportSummaryLine>();
        foreach (var entry in entries.OrderBy(e => e.Sequence))
        {
            var fact = entry.Fact;
            if (fact.Outcome == ProvisionOutcome.Exceptional)
            {
                if (exceptional.GetValueOrDefault(entry.Sequence) is { DiscloseToSubject: true } shown)
                {
                    var reported = Reported(entry, declarations.GetValueOrDefault(fact.DeclarationVersion), itemNames.GetValueOrDefault(fact.DeclarationVersion), partyNames, showStaff);
                    (reported.Authority, reported.LegalBasis, reported.RecipientNameJa, reported.PurposeJa) = (shown.Authority, fact.Rule ?? "", shown.Authority, "");
                    reported.Time = shown.ProvidedAt ?? reported.Time;
                    report.Provisions.Add(reported);
                }

                continue;
            }

            if (fact.Outcome == ProvisionOutcome.Provided && fact.Recipient != fact.Provider)
            {
                report.Provisions.Add(Reported(entry, declarations.GetValueOrDefault(fact.DeclarationVersion), itemNames.GetValueOrDefault(fact.DeclarationVersion), partyNames, showStaff));
                continue;
            }

            var outcome = fact.Outcome == ProvisionOutcome.Provided ? OwnUse : OutcomeName(fact.Outcome);
            var key = (outcome, fact.Outcome == ProvisionOutcome.Refused ? fact.Rule ?? "" : "");
            var at = Timestamp.FromDateTimeOffset(fact.Time);
            if (summary.TryGetValue(key, out var line))
            {
                line.Count++;
                line.Last = at;
            }
            else
            {
                summary[key] = new ReportSummaryLine { Outcome = key.outcome, Rule = key.Item2, Count = 1, First = at, Last = at };
            }
        }

        report.Summary.AddRange(summary.Values);
        return report;
    }

    /// <summary>The wire name of an outcome, as reports and documents show it: "provided", "opted-out"…</summary>
    public static string OutcomeName(ProvisionOutcome outcome) => outcome switch
    {
        ProvisionOutcome.Provided => "provided",
        ProvisionOutcome.Received => "received",
        ProvisionOutcome.Refused => "refused",
        ProvisionOutcome.OptedOut => "opted-out",
        ProvisionOutcome.OptOutWithdrawn => "opt-out-withdrawn",
        ProvisionOutcome.Deleted => "deleted",
        ProvisionOutcome.Exceptional => "exceptional",
        ProvisionOutcome.DisclosedToSubject => "disclosed-to-subject",
        _ => "unspecified",
    };

    private static ReportedProvision Reported(ChainedProvision entry, DeclarationRecord? declaration, Dictionary<string, string>? itemNames, IReadOnlyDictionary<string, string> partyNames, bool showStaff)
    {
        var fact = entry.Fact;
        string Name(string party) => partyNames.GetValueOrDefault(party, party);
        var reported = new ReportedProvision
        {
            Sequence = entry.Sequence,
            Time = Timestamp.FromDateTimeOffset(fact.Time),
            Provider = fact.Provider,
            ProviderNameJa = Name(fact.Provider),
            Recipient = fact.Recipient,
            RecipientNameJa = Name(fact.Recipient),
            Agent = fact.Agent ?? "",
            AgentNameJa = fact.Agent is null ? "" : Name(fact.Agent),
            Purpose = fact.Purpose,
            PurposeJa = declaration?.Purpose(fact.Purpose)?.Description?.Ja ?? fact.Purpose,
            DeclarationVersion = fact.DeclarationVersion,
            Outcome = OutcomeName(fact.Outcome),
            EntryHash = entry.EntryHash,
            StaffId = showStaff ? fact.StaffId ?? "" : "",
        };
        reported.Items.AddRange(fact.Items);
        reported.ItemNamesJa.AddRange(fact.Items.Select(i => itemNames?.GetValueOrDefault(i, i) ?? i));
        return reported;
    }
}
