using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Domain.Items;
using Exchange.Domain.Oversight;
using Exchange.Domain.Parties;
using Exchange.Domain.Provisions;
using Exchange.Domain.Records;
using Google.Protobuf.WellKnownTypes;

namespace Exchange.Domain.Subjects;

/// <summary>
/// The two disclosures a person may ask for, each the execution of a verified request of its
/// kind: what the hub holds about them (保有個人データの開示), and to whom their data was provided
/// (第三者提供記録の開示).
/// </summary>
public sealed class SubjectDisclosures(
    SubjectRequests requests,
    ICustomerStore customers,
    IProvisionLogStore log,
    IUnitOfWork unitOfWork,
    IPartyDirectory parties,
    DeclarationRegistry declarations,
    IOversightStore oversight,
    ProvisionTree tree,
    SubjectSettings settings,
    TimeProvider time)
{
    /// <summary>
    /// Every record the request names that the hub still holds, each item with the write that last
    /// set it (from the provision log's receipts), and the person's opt-outs. Recorded in the
    /// provision log as disclosed to the person (from the owning garage to the relaying party, for
    /// <see cref="SubjectRequests.DisclosurePurpose"/>, naming the items), in the transaction that
    /// completes the request.
    /// </summary>
    public async Task<HeldData> GetHeldDataAsync(CallContext call, string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var request = await requests.ForDisclosureAsync(call, requestId, SubjectRequestKind.DiscloseHeldData, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var declaration = await declarations.InForceAsync(now, cancellationToken).ConfigureAwait(false);
        var itemNames = declaration.Content.Items.ToDictionary(i => i.Id, i => i.Name?.Ja ?? i.Id, StringComparer.Ordinal);
        var held = new HeldData { RequestId = request.Id, GeneratedAt = Timestamp.FromDateTimeOffset(now) };
        var facts = new List<ProvisionFact>();
        for (var i = 0; i < request.Records.Count; i++)
        {
            var key = request.Records[i];
            var subject = request.SubjectIds[i];
            if (await customers.FindAsync(key.OwnerParty, key.CustomerRef, cancellationToken).ConfigureAwait(false) is not { } found)
            {
                continue;
            }

            var record = CustomerRecord.Parser.ParseFrom(found.Data);
            var items = RecordFields.Inspect(record, _ => null).Items.Order(StringComparer.Ordinal).ToList();
            var entries = await log.ListForSubjectAsync(subject, cancellationToken).ConfigureAwait(false);
            var lastSet = new Dictionary<string, ChainedProvision>(StringComparer.Ordinal);
            foreach (var entry in entries.Where(e => e.Fact.Outcome == ProvisionOutcome.Received && e.Fact.Provider == key.OwnerParty))
            {
                foreach (var item in entry.Fact.Items)
                {
                    lastSet[item] = entry;
                }
            }

            var heldRecord = new HeldRecord
            {
                Key = new CustomerKey { OwnerParty = key.OwnerParty, CustomerRef = key.CustomerRef },
                SubjectId = subject,
                OwnerNameJa = (await parties.FindAsync(key.OwnerParty, cancellationToken).ConfigureAwait(false))?.NameJa ?? key.OwnerParty,
                Record = record,
                CreatedAt = entries.FirstOrDefault(e => e.Fact.Outcome == ProvisionOutcome.Received && e.Fact.Provider == key.OwnerParty) is { } first ? Timestamp.FromDateTimeOffset(first.Fact.Time) : null,
                UpdatedAt = Timestamp.FromDateTimeOffset(found.UpdatedAt),
            };
            heldRecord.Items.AddRange(items.Select(item => new HeldItem
            {
                Item = item,
                ItemNameJa = itemNames.GetValueOrDefault(item, item),
                SourceParty = lastSet.TryGetValue(item, out var source) ? source.Fact.Provider : key.OwnerParty,
                SourceAgent = source?.Fact.Agent ?? "",
                LastChangedAt = source is null ? null : Timestamp.FromDateTimeOffset(source.Fact.Time),
            }));
            heldRecord.OptedOutPurposes.AddRange((await customers.OptOutsOfAsync(subject, cancellationToken).ConfigureAwait(false)).Select(o => o.Purpose));
            held.Records.Add(heldRecord);
            var (recipient, agent) = call.Caller.Role == PartyRole.Vendor ? (key.OwnerParty, call.Caller.Id) : (call.Caller.Id, (string?)null);
            facts.Add(new ProvisionFact(now, key.OwnerParty, recipient, agent, subject, items, SubjectRequests.DisclosurePurpose, declaration.Version, declaration.Hash, call.CallId, ProvisionOutcome.DisclosedToSubject, null, call.StaffId));
        }

        await unitOfWork.RunAsync(
            async ct =>
            {
                var sequences = facts.Count == 0 ? [] : (await log.AppendAsync(facts, ct).ConfigureAwait(false)).Select(e => e.Sequence).ToList();
                await requests.CompleteDisclosureAsync(call, request, now, $"held data of {held.Records.Count} record(s); provision-log entries {(sequences.Count == 0 ? "none" : string.Join(", ", sequences))}", ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return held;
    }

    /// <summary>
    /// Every provision of the person's data, from the provision log through its subject index, with
    /// names a person can read (see <see cref="ProvisionReportBuilder"/>), and as a Japanese document
    /// (<see cref="ProvisionReportDocument"/>) unless <paramref name="omitDocument"/>; with
    /// <paramref name="withProofs"/>, each listed entry's inclusion proof against the latest signed
    /// checkpoint (with its witnesses' cosignatures). Completes the request.
    /// </summary>
    public async Task<ProvisionReport> GetProvisionReportAsync(CallContext call, string requestId, bool omitDocument, bool withProofs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var request = await requests.ForDisclosureAsync(call, requestId, SubjectRequestKind.DiscloseProvisions, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var subjects = request.SubjectIds.Distinct(StringComparer.Ordinal).ToList();
        var entries = new Dictionary<long, ChainedProvision>();
        foreach (var subject in subjects)
        {
            foreach (var entry in await log.ListForSubjectAsync(subject, cancellationToken).ConfigureAwait(false))
            {
                entries.TryAdd(entry.Sequence, entry);
            }
        }

        var versions = (await declarations.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(d => d.Version);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var party in entries.Values.SelectMany(e => new[] { e.Fact.Provider, e.Fact.Recipient, e.Fact.Agent }).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (await parties.FindAsync(party, cancellationToken).ConfigureAwait(false) is { } found)
            {
                names[party] = found.NameJa;
            }
        }

        var exceptional = await oversight.ExceptionalAtAsync(entries.Values.Where(e => e.Fact.Outcome == ProvisionOutcome.Exceptional).Select(e => e.Sequence).ToList(), cancellationToken).ConfigureAwait(false);
        var report = ProvisionReportBuilder.Build(request.Id, subjects, entries.Values, versions, names, exceptional, now, settings.ShowActingStaff);
        if (withProofs && report.Provisions.Count > 0)
        {
            await AddProofsAsync(report, cancellationToken).ConfigureAwait(false);
        }

        if (!omitDocument)
        {
            var inForce = await declarations.InForceAsync(now, cancellationToken).ConfigureAwait(false);
            report.DocumentHtml = ProvisionReportDocument.Render(report, inForce.Content);
        }

        await unitOfWork.RunAsync(
            async ct =>
            {
                await requests.CompleteDisclosureAsync(call, request, now, $"provision records: {report.Provisions.Count} provision(s), {report.Summary.Sum(s => s.Count)} other entries summarised", ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return report;
    }

    // Entries newer than the latest checkpoint are listed without a proof: the next checkpoint,
    // signed within the tree checkpoint interval, covers them.
    private async Task AddProofsAsync(ProvisionReport report, CancellationToken cancellationToken)
    {
        var latest = await tree.LatestAsync(cancellationToken).ConfigureAwait(false);
        var covered = report.Provisions.Select(p => p.Sequence).Where(s => s <= latest.Size).ToList();
        var (checkpoint, proofs) = await tree.ProveInclusionsAsync(covered, latest.Size, cancellationToken).ConfigureAwait(false);
        report.Checkpoint = checkpoint.Note;
        report.Proofs.AddRange(proofs.Select(p => new ReportProof { Sequence = p.Sequence, Hashes = { p.Hashes.Select(Convert.ToBase64String) } }));
    }
}
