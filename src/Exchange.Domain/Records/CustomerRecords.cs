using Exchange.Contracts.V1;
using Exchange.Domain.Audit;
using Exchange.Domain.Declarations;
using Exchange.Domain.Items;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Exchange.Domain.Provisions;

namespace Exchange.Domain.Records;

/// <summary>A record as provided to a caller: masked to the allowed items.</summary>
/// <param name="Record">The masked record.</param>
/// <param name="Items">The items it carries.</param>
public sealed record ProvidedRecord(CustomerRecord Record, IReadOnlyList<string> Items);

/// <summary>The outcome of a write.</summary>
/// <param name="SubjectId">The person's pseudonymous ID.</param>
/// <param name="DeclarationVersion">The version in force.</param>
/// <param name="Created">True when the record is new.</param>
public sealed record WriteResult(string SubjectId, int DeclarationVersion, bool Created);

/// <summary>One aggregate group.</summary>
/// <param name="Key">The group's value of the dimension.</param>
/// <param name="Persons">Distinct persons.</param>
/// <param name="Vehicles">Vehicles.</param>
/// <param name="BilledAmountYen">Sum of billed amounts.</param>
public sealed record StatisticsGroupResult(string Key, long Persons, long Vehicles, long BilledAmountYen);

/// <summary>An aggregate answer, every number rounded as <see cref="StatisticsRounding"/> says.</summary>
/// <param name="Groups">Groups of at least k persons.</param>
/// <param name="SuppressedPersons">Persons only in smaller groups.</param>
/// <param name="TotalPersons">Persons aggregated.</param>
/// <param name="K">The k applied.</param>
/// <param name="DeclarationVersion">The version in force.</param>
public sealed record StatisticsResult(IReadOnlyList<StatisticsGroupResult> Groups, long SuppressedPersons, long TotalPersons, int K, int DeclarationVersion);

/// <summary>
/// Purpose-checked reading and writing of customer records. Every provision and every refusal is
/// recorded in the provision log; a provision is recorded in the same transaction as the data.
/// </summary>
public sealed class CustomerRecords(
    DeclarationRegistry declarations,
    IGrantStore grants,
    ICustomerStore customers,
    IProvisionLogStore log,
    IProvisionRecorder recorder,
    IUnitOfWork unitOfWork,
    IVendorAuthorisations authorisations,
    IPartyDirectory parties,
    SubjectPseudonyms pseudonyms,
    StatisticsSettings statistics,
    PolicyDecisions policy,
    IHubAuditLog audit,
    IEnumerable<IRecordChanges> changes,
    ILogSigner signer,
    TimeProvider time)
{
    /// <summary>The most matches one search call counts; a page token goes on after them.</summary>
    public const int MaxSearch = 1000;

    // Each is one bound parameter of the search (SQLite binds at most 32,766); a recall names a few.
    private const int MaxModelCodes = 1000;
    private const int MaxFilterText = 32;
    private const int MaxTextLength = 2000;

    /// <summary>The most records one batch write may hold.</summary>
    public const int MaxBatch = 1000;

    /// <summary>Creates or replaces a customer's record.</summary>
    public async Task<WriteResult> PutAsync(CallContext call, string purpose, CustomerRecord record, CancellationToken cancellationToken) =>
        (await WriteAsync(call, purpose, [record], batch: false, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Creates or replaces up to <see cref="MaxBatch"/> records of one garage in one transaction, all
    /// or nothing: when any record is refused, none is stored and each person in the batch gets a
    /// refusal entry in the provision log.
    /// </summary>
    public Task<IReadOnlyList<WriteResult>> PutManyAsync(CallContext call, string purpose, IReadOnlyList<CustomerRecord> records, CancellationToken cancellationToken) =>
        records.Count is 0 or > MaxBatch
            ? throw new ExchangeException(FailureKind.InvalidArgument, $"a batch holds 1 to {MaxBatch} records, not {records.Count} (rule {PolicyRules.RequestTooLarge})", PolicyRules.RequestTooLarge)
            : WriteAsync(call, purpose, records, batch: true, cancellationToken);

    private async Task<IReadOnlyList<WriteResult>> WriteAsync(CallContext call, string purpose, IReadOnlyList<CustomerRecord> records, bool batch, CancellationToken cancellationToken)
    {
        var checks = await ChecksAsync(call, purpose, cancellationToken).ConfigureAwait(false);
        var owner = checks.OwnerOf(records[0].OwnerParty);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var checkedRecords = new List<CheckedChange>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var recordOwner = checks.OwnerOf(records[i].OwnerParty);
            var ownerProblem = recordOwner != owner
                ? $"owner_party {Identifiers.Quote(recordOwner)} differs from the first record's {Identifiers.Quote(owner)}; a batch holds one garage's records"
                : null;
            checkedRecords.Add(await checks.UpsertAsync(records[i], batch ? $"records[{i}]: " : "", ownerProblem, r => seen.Add(r.CustomerRef) ? null : $"customer_ref {Identifiers.Quote(r.CustomerRef)} appears twice in the batch", cancellationToken).ConfigureAwait(false));
        }

        // All or nothing: the first refused record refuses the batch, and each person in it gets a refusal entry.
        if (checkedRecords.FirstOrDefault(c => c.Refusal is not null) is { Refusal: { } refusal })
        {
            throw await RefuseAsync(checkedRecords.Select(c => checks.Refusal(c, refusal.Rule)).ToList(), refusal, cancellationToken).ConfigureAwait(false);
        }

        var outcomes = await unitOfWork.RunAsync(
            async ct =>
            {
                var recordChanges = new List<RecordChange>();
                var outcomes = await StoreAsync(checks, checkedRecords, recordChanges, ct).ConfigureAwait(false);
                await log.AppendAsync(checkedRecords.Select(c => checks.Fact(c, ProvisionOutcome.Received, null)).ToList(), ct).ConfigureAwait(false);
                await RecordChangesAsync(recordChanges, ct).ConfigureAwait(false);
                return outcomes;
            },
            cancellationToken).ConfigureAwait(false);
        return checkedRecords.Select((c, i) => new WriteResult(c.SubjectId!, checks.Declaration.Version, outcomes[i] == UpsertOutcome.Created)).ToList();
    }

    /// <summary>
    /// Deletes one customer's record, checked as a write is (the owner, a vendor's write authorisation,
    /// the purpose) and by the owner's standing. The deletion is recorded in the same transaction
    /// (outcome <see cref="ProvisionOutcome.Deleted"/>, from the owner to the hub, the vendor as agent,
    /// no items), a refusal like any refusal; a record that is not there is NOT_FOUND and records nothing.
    /// The person's opt-outs are kept: they are the person's instruction, not the garage's record.
    /// </summary>
    public async Task<WriteResult> DeleteAsync(CallContext call, string purpose, CustomerKey key, CancellationToken cancellationToken)
    {
        var checks = await ChecksAsync(call, purpose, cancellationToken).ConfigureAwait(false);
        var deletion = await checks.DeletionAsync(key, cancellationToken).ConfigureAwait(false);
        if (deletion.Refusal is { } refusal)
        {
            throw await RefuseAsync(checks.Refusal(deletion), refusal, cancellationToken).ConfigureAwait(false);
        }

        var deleted = await unitOfWork.RunAsync(
            async ct =>
            {
                var facts = new List<ProvisionFact>();
                var recordChanges = new List<RecordChange>();
                var deleted = await DeleteCheckedAsync(checks, deletion, facts, recordChanges, ct).ConfigureAwait(false);
                await AppendAsync(facts, ct).ConfigureAwait(false);
                await RecordChangesAsync(recordChanges, ct).ConfigureAwait(false);
                return deleted;
            },
            cancellationToken).ConfigureAwait(false);
        return deleted
            ? new WriteResult(deletion.SubjectId!, checks.Declaration.Version, Created: false)
            : throw new ExchangeException(FailureKind.NotFound, $"'{deletion.Owner}' holds no customer {Identifiers.Quote(deletion.CustomerRef)}");
    }

    /// <summary>
    /// Applies numbered changes (upserts and deletions), each checked as its unary call is, in ONE
    /// transaction with every provision-log entry they make, refusals included, and with
    /// <paramref name="alongside"/>, which runs first inside it (a sync's acknowledged sequence). So
    /// either all of them are durable, each with its entry, or none is. Results in the changes' order.
    /// </summary>
    public async Task<IReadOnlyList<AppliedChange>> ApplyChangesAsync(CallContext call, string purpose, IReadOnlyList<SyncChange> changes, Func<CancellationToken, Task> alongside, CancellationToken cancellationToken)
    {
        var checks = await ChecksAsync(call, purpose, cancellationToken).ConfigureAwait(false);
        var checkedChanges = new List<CheckedChange>(changes.Count);
        foreach (var change in changes)
        {
            checkedChanges.Add(change.ChangeCase switch
            {
                SyncChange.ChangeOneofCase.Upsert => await checks.UpsertAsync(change.Upsert, "", null, null, cancellationToken).ConfigureAwait(false),
                SyncChange.ChangeOneofCase.Delete => await checks.DeletionAsync(change.Delete, cancellationToken).ConfigureAwait(false),
                _ => checks.Empty(),
            });
        }

        return await unitOfWork.RunAsync(
            async ct =>
            {
                await alongside(ct).ConfigureAwait(false);
                var outcomes = new SyncOutcome[changes.Count];
                var facts = new List<ProvisionFact>();
                var recordChanges = new List<RecordChange>();
                // Upserts are stored in runs of distinct customers, a run ending where a later change
                // names one of them again, so that every change applies in sequence order.
                var run = new List<int>();
                var inRun = new HashSet<(string, string)>();
                async Task FlushAsync()
                {
                    var stored = await StoreAsync(checks, run.Select(i => checkedChanges[i]).ToList(), recordChanges, ct).ConfigureAwait(false);
                    for (var r = 0; r < run.Count; r++)
                    {
                        outcomes[run[r]] = stored[r] switch
                        {
                            UpsertOutcome.Created => SyncOutcome.Created,
                            UpsertOutcome.Replaced => SyncOutcome.Replaced,
                            _ => SyncOutcome.Unchanged,
                        };
                    }

                    run.Clear();
                    inRun.Clear();
                }

                for (var i = 0; i < checkedChanges.Count; i++)
                {
                    var change = checkedChanges[i];
                    if (change.Refusal is not null)
                    {
                        outcomes[i] = SyncOutcome.Refused;
                        continue;
                    }

                    if (inRun.Contains((change.Owner, change.CustomerRef)))
                    {
                        await FlushAsync().ConfigureAwait(false);
                    }

                    if (change.Stored is not null)
                    {
                        run.Add(i);
                        inRun.Add((change.Owner, change.CustomerRef));
                    }
                    else
                    {
                        outcomes[i] = await DeleteCheckedAsync(checks, change, [], recordChanges, ct).ConfigureAwait(false) ? SyncOutcome.Deleted : SyncOutcome.Absent;
                    }
                }

                await FlushAsync().ConfigureAwait(false);
                for (var i = 0; i < checkedChanges.Count; i++)
                {
                    var change = checkedChanges[i];
                    switch (outcomes[i])
                    {
                        case SyncOutcome.Refused:
                            facts.Add(checks.Refusal(change));
                            break;
                        case SyncOutcome.Deleted:
                            facts.Add(checks.Fact(change, ProvisionOutcome.Deleted, null));
                            break;
                        case SyncOutcome.Created or SyncOutcome.Replaced or SyncOutcome.Unchanged:
                            facts.Add(checks.Fact(change, ProvisionOutcome.Received, null));
                            break;
                    }
                }

                await AppendAsync(facts, ct).ConfigureAwait(false);
                await RecordChangesAsync(recordChanges, ct).ConfigureAwait(false);
                return checkedChanges.Select((c, i) => new AppliedChange(changes[i].Sequence, outcomes[i], outcomes[i] == SyncOutcome.Absent ? Absent(c) : c.Refusal, c.SubjectId)).ToList();
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static ExchangeException Absent(CheckedChange change) =>
        new(FailureKind.NotFound, $"'{change.Owner}' holds no customer {Identifiers.Quote(change.CustomerRef)}");

    private async Task<WriteChecks> ChecksAsync(CallContext call, string purpose, CancellationToken cancellationToken, string? requestId = null)
    {
        var now = time.GetUtcNow();
        var declaration = await declarations.InForceAsync(now, cancellationToken).ConfigureAwait(false);
        var grantList = await grants.ListAsync(cancellationToken).ConfigureAwait(false);
        return new WriteChecks(call, purpose, declaration, now, grantList, policy, (garage, vendor, ct) => IsAuthorisedAsync(garage, vendor, VendorOperations.Write, now, ct), parties, pseudonyms, Screen)
        {
            RequestId = requestId,
        };
    }

    /// <summary>
    /// Carries out a person's correction or deletion (Subjects): each change checked as its owner's
    /// after-sales write is, made as <see cref="RequestWrite.Call"/>, all or nothing (a refusal
    /// refuses them all, each person with a refusal entry), stored with its provision-log entries
    /// and its feed events, which carry <paramref name="requestId"/>, in ONE transaction, in which
    /// <paramref name="after"/> runs last. A deletion of a record that is not there is NOT_FOUND and
    /// changes nothing.
    /// </summary>
    internal async Task ApplyForRequestAsync(string requestId, IReadOnlyList<RequestWrite> writes, Func<CancellationToken, Task> after, CancellationToken cancellationToken)
    {
        var parts = new List<(WriteChecks Checks, List<CheckedChange> Changes)>(writes.Count);
        foreach (var write in writes)
        {
            var checks = await ChecksAsync(write.Call, Purposes.AfterSales, cancellationToken, requestId).ConfigureAwait(false);
            var checkedChanges = new List<CheckedChange>();
            foreach (var record in write.Upserts)
            {
                checkedChanges.Add(await checks.UpsertAsync(record, "", null, null, cancellationToken).ConfigureAwait(false));
            }

            foreach (var key in write.Deletions)
            {
                checkedChanges.Add(await checks.DeletionAsync(key, cancellationToken).ConfigureAwait(false));
            }

            parts.Add((checks, checkedChanges));
        }

        if (parts.SelectMany(p => p.Changes).FirstOrDefault(c => c.Refusal is not null) is { Refusal: { } refusal })
        {
            throw await RefuseAsync(parts.SelectMany(p => p.Changes.Select(c => p.Checks.Refusal(c, refusal.Rule))).ToList(), refusal, cancellationToken).ConfigureAwait(false);
        }

        await unitOfWork.RunAsync(
            async ct =>
            {
                var facts = new List<ProvisionFact>();
                var recordChanges = new List<RecordChange>();
                foreach (var (checks, changes) in parts)
                {
                    var stored = changes.Where(c => c.Stored is not null).ToList();
                    await StoreAsync(checks, stored, recordChanges, ct).ConfigureAwait(false);
                    facts.AddRange(stored.Select(c => checks.Fact(c, ProvisionOutcome.Received, null)));
                    foreach (var deletion in changes.Where(c => c.Stored is null))
                    {
                        if (!await DeleteCheckedAsync(checks, deletion, facts, recordChanges, ct).ConfigureAwait(false))
                        {
                            throw Absent(deletion);
                        }
                    }
                }

                await AppendAsync(facts, ct).ConfigureAwait(false);
                await RecordChangesAsync(recordChanges, ct).ConfigureAwait(false);
                await after(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    // Stores permitted upserts in the current unit of work; their record changes are added to recordChanges.
    private async Task<IReadOnlyList<UpsertOutcome>> StoreAsync(WriteChecks checks, IReadOnlyList<CheckedChange> upserts, List<RecordChange> recordChanges, CancellationToken cancellationToken)
    {
        if (upserts.Count == 0)
        {
            return [];
        }

        var outcomes = await customers.UpsertAsync(upserts.Select(c => c.Stored!).ToList(), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < upserts.Count; i++)
        {
            if (outcomes[i] is UpsertOutcome.Created or UpsertOutcome.Replaced)
            {
                recordChanges.Add(checks.Change(upserts[i], outcomes[i] == UpsertOutcome.Created ? RecordChangeKind.Created : RecordChangeKind.Corrected));
            }
        }

        return outcomes;
    }

    // Deletes a permitted deletion's record in the current unit of work; false when there was none.
    private async Task<bool> DeleteCheckedAsync(WriteChecks checks, CheckedChange deletion, List<ProvisionFact> facts, List<RecordChange> recordChanges, CancellationToken cancellationToken)
    {
        if (!await customers.DeleteAsync(deletion.Owner, deletion.CustomerRef, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        facts.Add(checks.Fact(deletion, ProvisionOutcome.Deleted, null));
        recordChanges.Add(checks.Change(deletion, RecordChangeKind.Deleted));
        return true;
    }

    private async Task AppendAsync(List<ProvisionFact> facts, CancellationToken cancellationToken)
    {
        if (facts.Count > 0)
        {
            await log.AppendAsync(facts, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RecordChangesAsync(List<RecordChange> recordChanges, CancellationToken cancellationToken)
    {
        if (recordChanges.Count > 0)
        {
            // Every consumer of record changes (the feed, recall matching), in the write's transaction.
            foreach (var consumer in changes)
            {
                await consumer.RecordAsync(recordChanges, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads one customer's record for <paramref name="purpose"/>, masked to the allowed items.</summary>
    public async Task<(ProvidedRecord Provided, int DeclarationVersion)> GetAsync(CallContext call, string purpose, string ownerParty, string customerRef, IReadOnlyCollection<string> items, CancellationToken cancellationToken)
    {
        // Without a valid person there is nobody to record a refusal for.
        Identifiers.RequirePartyId(ownerParty, "owner_party");
        Identifiers.RequireReference(customerRef, "customer_ref");
        var now = time.GetUtcNow();
        var declaration = await declarations.InForceAsync(now, cancellationToken).ConfigureAwait(false);
        var caller = call.Caller;
        var subject = pseudonyms.SubjectOf(ownerParty, customerRef);
        var (recipient, agent) = RecipientOf(caller, ownerParty, purpose);
        ProvisionFact Fact(ProvisionOutcome outcome, IReadOnlyList<string> provided, string? rule) =>
            new(now, ownerParty, recipient, agent, subject, provided, purpose, declaration.Version, declaration.Hash, call.CallId, outcome, rule, call.StaffId);

        if (Identifiers.RequestProblem(purpose, items) is { } malformed)
        {
            throw await RefuseAsync(Fact(ProvisionOutcome.Refused, [], PolicyRules.RequestMalformed) with { Purpose = "" }, Malformed(malformed), cancellationToken).ConfigureAwait(false);
        }

        var decision = await DecideReadAsync(caller, AccessKind.Read, purpose, items, ownerParty, declaration, now, cancellationToken).ConfigureAwait(false);
        if (!decision.Permitted)
        {
            throw await RefuseAsync(Fact(ProvisionOutcome.Refused, Requested(items), decision.Rule), decision.ToException(), cancellationToken).ConfigureAwait(false);
        }

        var (found, optedOut, ownerStatus) = await customers.FindForPurposeAsync(ownerParty, customerRef, purpose, cancellationToken).ConfigureAwait(false);
        // A registered owner's standing refuses whether or not the person exists, so that a refusal tells nothing of who does.
        if ((found is not null || ownerStatus is not null) && PolicyEngine.OwnerRefusal(ownerParty, ownerStatus, purpose) is { } ownerRefusal)
        {
            throw await RefuseAsync(Fact(ProvisionOutcome.Refused, Requested(items), ownerRefusal.Rule), ownerRefusal.ToException(), cancellationToken).ConfigureAwait(false);
        }

        if (found is null)
        {
            throw new ExchangeException(FailureKind.NotFound, $"'{ownerParty}' holds no customer {Identifiers.Quote(customerRef)}");
        }

        if (optedOut && declaration.Purpose(purpose) is { OptOutAllowed: true })
        {
            var refusal = new ExchangeException(FailureKind.PermissionDenied, $"the person opted out of '{purpose}' (rule {PolicyRules.PersonOptedOut})", PolicyRules.PersonOptedOut);
            throw await RefuseAsync(Fact(ProvisionOutcome.Refused, Requested(items), PolicyRules.PersonOptedOut), refusal, cancellationToken).ConfigureAwait(false);
        }

        var provided = Provide(found, decision.AllowedItems);
        await recorder.RecordAsync([Fact(ProvisionOutcome.Provided, provided.Items, null)], cancellationToken).ConfigureAwait(false);
        return (provided, declaration.Version);
    }

    /// <summary>
    /// Finds records for <paramref name="purpose"/>; persons who opted out of it are left out, and so
    /// are the customers of owners whose standing refuses the purpose (<see cref="PolicyEngine.OwnerRefusal"/>),
    /// each with a refusal entry of their own. The checks of the search as a whole are made, and a
    /// refusal recorded and thrown, before this returns; the records are then read, recorded and
    /// released as the caller enumerates them (<see cref="CustomerSearch"/>), each once its
    /// provision-log entry is committed, never before. One call counts at most
    /// <see cref="MaxSearch"/> matches (<see cref="CustomerFilter.Limit"/> 0: that many); when more may
    /// follow, its last result carries a token that reads the next page in a later call, which is
    /// checked and recorded as a search of its own.
    /// </summary>
    public async Task<IAsyncEnumerable<SearchResult>> SearchAsync(CallContext call, string purpose, IReadOnlyCollection<string> items, CustomerFilter filter, string? pageToken, CancellationToken cancellationToken)
    {
        if (filter.Limit < 0)
        {
            throw Malformed($"limit {filter.Limit} is negative; 0 asks for the most one call returns, {MaxSearch}, and a page token goes on from there");
        }

        if (filter.ModelCodes.Count > MaxModelCodes)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, $"a search names at most {MaxModelCodes} model codes, not {filter.ModelCodes.Count} (rule {PolicyRules.RequestTooLarge})", PolicyRules.RequestTooLarge);
        }

        if (filter.OwnerParty is not null)
        {
            Identifiers.RequirePartyId(filter.OwnerParty, "owner_party");
        }

        RequireFilterText(filter.ModelCodes, "model_codes");
        RequireFilterText(filter.Prefecture is null ? [] : [filter.Prefecture], "prefecture");
        var now = time.GetUtcNow();
        var declaration = await declarations.InForceAsync(now, cancellationToken).ConfigureAwait(false);
        var caller = call.Caller;
        var owner = string.IsNullOrEmpty(filter.OwnerParty) ? (caller.Role is PartyRole.MemberGarage ? caller.Id : null) : filter.OwnerParty;
        ProvisionFact Refusal(IReadOnlyList<string> requested, string? rule) =>
            new(now, owner ?? "*", caller.Id, null, null, requested, purpose, declaration.Version, declaration.Hash, call.CallId, ProvisionOutcome.Refused, rule, call.StaffId);
        if (Identifiers.RequestProblem(purpose, items) is { } malformed)
        {
            throw await RefuseAsync(Refusal([], PolicyRules.RequestMalformed) with { Purpose = "" }, Malformed(malformed), cancellationToken).ConfigureAwait(false);
        }

        var binding = SearchPageToken.Bind(caller.Id, purpose, items, owner, filter.ModelCodes, filter.Prefecture);
        var start = string.IsNullOrEmpty(pageToken) ? null : SearchPageToken.Open(pageToken, binding, now, signer);
        var decision = await DecideReadAsync(caller, AccessKind.Read, purpose, items, owner, declaration, now, cancellationToken).ConfigureAwait(false);
        if (!decision.Permitted)
        {
            throw await RefuseAsync(Refusal(Requested(items), decision.Rule), decision.ToException(), cancellationToken).ConfigureAwait(false);
        }

        // A search naming one garage that may not provide for the purpose is refused as a whole; the
        // caller's own records need no look-up.
        if (owner is not null && owner != caller.Id && await parties.FindAsync(owner, cancellationToken).ConfigureAwait(false) is { } named
            && PolicyEngine.OwnerRefusal(owner, named.Status, purpose) is { } ownerRefusal)
        {
            throw await RefuseAsync(Refusal(Requested(items), ownerRefusal.Rule), ownerRefusal.ToException(), cancellationToken).ConfigureAwait(false);
        }

        // The limit counts matches: customers of owners refused by their standing, like persons who
        // opted out, count towards it but are not provided; each of the former gets a refusal entry.
        var limit = filter.Limit is > 0 and <= MaxSearch ? filter.Limit : MaxSearch;
        var optOutOf = declaration.Purpose(purpose) is { OptOutAllowed: true } ? purpose : null;
        var template = new ProvisionFact(now, "", caller.Id, null, null, [], purpose, declaration.Version, declaration.Hash, call.CallId, ProvisionOutcome.Provided, null, call.StaffId);
        var search = new CustomerSearch(caller, customers, recorder, filter with { OwnerParty = owner, Limit = limit }, start, limit, optOutOf, decision.AllowedItems, Requested(items), template,
            after => SearchPageToken.Issue(binding, after, time.GetUtcNow(), signer));
        return search.ReadAsync(cancellationToken);
    }

    /// <summary>
    /// Aggregates over at least k persons, grouped by <paramref name="groupBy"/>; groups of fewer
    /// than k persons are suppressed. Every number released is rounded (counts to multiples of k,
    /// billed amounts to multiples of <see cref="StatisticsSettings.BilledRoundingYen"/>), so that
    /// no two permitted answers subtract to one person's value: see <see cref="StatisticsRounding"/>.
    /// </summary>
    public async Task<StatisticsResult> StatisticsAsync(CallContext call, string purpose, StatisticsDimension groupBy, string? ownerParty, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var declaration = await declarations.InForceAsync(now, cancellationToken).ConfigureAwait(false);
        var caller = call.Caller;
        var owner = string.IsNullOrEmpty(ownerParty) ? null : ownerParty;
        if (owner is not null)
        {
            Identifiers.RequirePartyId(owner, "owner_party");
        }

        string[] items = groupBy switch
        {
            StatisticsDimension.ModelCode or StatisticsDimension.FirstRegistrationYear => ["vehicle.inspection_certificate", "cost.billed_amount"],
            StatisticsDimension.Prefecture => ["contact.address", "cost.billed_amount"],
            StatisticsDimension.OwnerParty => ["cost.billed_amount"],
            _ => throw Malformed("group_by must name a dimension"),
        };
        ProvisionFact Fact(ProvisionOutcome outcome, string? rule) =>
            new(now, owner ?? "*", caller.Id, null, null, items, purpose, declaration.Version, declaration.Hash, call.CallId, outcome, rule, call.StaffId);

        if (Identifiers.RequestProblem(purpose, []) is { } malformed)
        {
            throw await RefuseAsync(Fact(ProvisionOutcome.Refused, PolicyRules.RequestMalformed) with { Purpose = "" }, Malformed(malformed), cancellationToken).ConfigureAwait(false);
        }

        var decision = await DecideReadAsync(caller, AccessKind.Aggregate, purpose, items, owner, declaration, now, cancellationToken).ConfigureAwait(false);
        if (!decision.Permitted)
        {
            throw await RefuseAsync(Fact(ProvisionOutcome.Refused, decision.Rule), decision.ToException(), cancellationToken).ConfigureAwait(false);
        }

        if (owner is not null && await parties.FindAsync(owner, cancellationToken).ConfigureAwait(false) is { } named
            && PolicyEngine.OwnerRefusal(owner, named.Status, purpose) is { } ownerRefusal)
        {
            throw await RefuseAsync(Fact(ProvisionOutcome.Refused, ownerRefusal.Rule), ownerRefusal.ToException(), cancellationToken).ConfigureAwait(false);
        }

        // Only active owners' records are aggregated: statistics are not a recall, so a suspended
        // garage's customers are left out as a withdrawn garage's are.
        var aggregate = new StatisticsAggregate(groupBy);
        var optOutOf = declaration.Purpose(purpose) is { OptOutAllowed: true } ? purpose : null;
        await foreach (var customer in customers.ScanAsync(owner, optOutOf, cancellationToken).ConfigureAwait(false))
        {
            aggregate.Add(CustomerRecord.Parser.ParseFrom(customer.Data));
        }

        var k = statistics.K;
        if (aggregate.Persons < k)
        {
            var refusal = new ExchangeException(FailureKind.PermissionDenied, $"the aggregate would describe {aggregate.Persons} persons, fewer than k = {k} (rule {PolicyRules.StatisticsBelowK})", PolicyRules.StatisticsBelowK);
            throw await RefuseAsync(Fact(ProvisionOutcome.Refused, PolicyRules.StatisticsBelowK), refusal, cancellationToken).ConfigureAwait(false);
        }

        var (kept, suppressed) = aggregate.Result(k);
        var released = StatisticsRounding.Release(kept, suppressed, aggregate.Persons, k, statistics.BilledRoundingYen);
        await recorder.RecordAsync([Fact(ProvisionOutcome.Provided, null)], cancellationToken).ConfigureAwait(false);
        return new StatisticsResult(released.Groups, released.SuppressedPersons, released.TotalPersons, k, declaration.Version);
    }

    /// <summary>
    /// Records (or withdraws) a person's opt-out, relayed by the owning garage (or a vendor it
    /// authorised to write, or an administrator). A change is recorded, in the same transaction, in
    /// the person's provision-log record (outcome <see cref="ProvisionOutcome.OptedOut"/> or
    /// <see cref="ProvisionOutcome.OptOutWithdrawn"/>, from the relaying party to the hub, naming
    /// the purpose and no items) and in the hub's audit log under the person's subject ID, never the
    /// customer reference. Relaying the state the person is already in changes and records nothing.
    /// </summary>
    /// <returns>The person's subject ID.</returns>
    public async Task<string> SetOptOutAsync(CallContext call, string ownerParty, string customerRef, string purpose, bool optedOut, CancellationToken cancellationToken)
    {
        Identifiers.RequirePartyId(ownerParty, "owner_party");
        Identifiers.RequireReference(customerRef, "customer_ref");
        if (Identifiers.RequestProblem(purpose, []) is { } malformed)
        {
            throw Malformed(malformed);
        }

        var now = time.GetUtcNow();
        var caller = call.Caller;
        var mayRelay = caller.Role == PartyRole.Administrator
            || (caller.Role == PartyRole.MemberGarage && caller.Id == ownerParty)
            || (caller.Role == PartyRole.Vendor && await IsAuthorisedAsync(ownerParty, caller.Id, VendorOperations.Write, now, cancellationToken).ConfigureAwait(false));
        if (!mayRelay)
        {
            throw new ExchangeException(FailureKind.PermissionDenied, $"only the owning garage relays its customers' opt-outs (rule {PolicyRules.OwnRecordsOnly})", PolicyRules.OwnRecordsOnly);
        }

        var declaration = await declarations.InForceAsync(now, cancellationToken).ConfigureAwait(false);
        var declared = declaration.Purpose(purpose)
            ?? throw new ExchangeException(FailureKind.InvalidArgument, $"purpose '{purpose}' is not declared in declaration version {declaration.Version} (rule {PolicyRules.PurposeUndeclared})", PolicyRules.PurposeUndeclared);
        if (!declared.OptOutAllowed)
        {
            throw new ExchangeException(FailureKind.FailedPrecondition, $"purpose '{purpose}' cannot be opted out of (rule {PolicyRules.OptOutNotAllowed})", PolicyRules.OptOutNotAllowed);
        }

        var customer = await customers.FindAsync(ownerParty, customerRef, cancellationToken).ConfigureAwait(false)
            ?? throw new ExchangeException(FailureKind.NotFound, $"'{ownerParty}' holds no customer {Identifiers.Quote(customerRef)}");
        var subject = customer.SubjectId;
        await unitOfWork.RunAsync(ct => RecordOptOutAsync(call, ownerParty, subject, purpose, optedOut, declaration, now, ct), cancellationToken).ConfigureAwait(false);
        return subject;
    }

    /// <summary>
    /// Records (or withdraws) a person's opt-out in the current unit of work, with its provision-log
    /// entry and audit event, as <see cref="SetOptOutAsync"/> does once it has checked the caller:
    /// a person's cessation request (Subjects) relayed by an inquiry desk comes here too. False when
    /// the person is already in that state, which records nothing.
    /// </summary>
    internal async Task<bool> RecordOptOutAsync(CallContext call, string ownerParty, string subject, string purpose, bool optedOut, DeclarationRecord declaration, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var caller = call.Caller;
        var (relayedBy, agent) = caller.Role == PartyRole.Vendor ? (ownerParty, caller.Id) : (caller.Id, (string?)null);
        var wasOptedOut = (await customers.OptedOutAsync(purpose, [subject], cancellationToken).ConfigureAwait(false)).Contains(subject);
        if (wasOptedOut == optedOut)
        {
            return false;
        }

        await customers.SetOptOutAsync(subject, purpose, optedOut, now, cancellationToken).ConfigureAwait(false);
        var outcome = optedOut ? ProvisionOutcome.OptedOut : ProvisionOutcome.OptOutWithdrawn;
        var entry = (await log.AppendAsync([new ProvisionFact(now, relayedBy, ProvisionFact.Hub, agent, subject, [], purpose, declaration.Version, declaration.Hash, call.CallId, outcome, null, call.StaffId)], cancellationToken).ConfigureAwait(false))[0];
        var details = $"purpose {purpose}; before: {OptOutState(wasOptedOut)}; after: {OptOutState(optedOut)}; customer of {ownerParty}"
            + (agent is null ? "" : $", relayed by {agent} for it") + $"; provision-log entry {entry.Sequence}";
        await audit.AppendAsync(new HubAuditEvent(now, caller.Id, optedOut ? HubAuditActions.OptOutRecorded : HubAuditActions.OptOutWithdrawn, subject, details, call.StaffId), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// A person's opt-outs in force, for the owning garage, a vendor it authorised to read, and
    /// administrators. Reading them provides no record, so it is not a provision.
    /// </summary>
    public async Task<(string SubjectId, IReadOnlyList<PersonOptOut> OptOuts)> OptOutsAsync(CallContext call, string ownerParty, string customerRef, CancellationToken cancellationToken)
    {
        Identifiers.RequirePartyId(ownerParty, "owner_party");
        Identifiers.RequireReference(customerRef, "customer_ref");
        var caller = call.Caller;
        var mayRead = caller.Role == PartyRole.Administrator
            || (caller.Role == PartyRole.MemberGarage && caller.Id == ownerParty)
            || (caller.Role == PartyRole.Vendor && await IsAuthorisedAsync(ownerParty, caller.Id, VendorOperations.Read, time.GetUtcNow(), cancellationToken).ConfigureAwait(false));
        if (!mayRead)
        {
            throw new ExchangeException(FailureKind.PermissionDenied, $"only the owning garage, a vendor it authorised to read, or an administrator reads a customer's opt-outs (rule {PolicyRules.OwnRecordsOnly})", PolicyRules.OwnRecordsOnly);
        }

        var customer = await customers.FindAsync(ownerParty, customerRef, cancellationToken).ConfigureAwait(false)
            ?? throw new ExchangeException(FailureKind.NotFound, $"'{ownerParty}' holds no customer {Identifiers.Quote(customerRef)}");
        return (customer.SubjectId, await customers.OptOutsOfAsync(customer.SubjectId, cancellationToken).ConfigureAwait(false));
    }

    private static string OptOutState(bool optedOut) => optedOut ? "opted out" : "not opted out";

    // What free text may not be: too long, or naming a sensitive category.
    private static string? Screen(string text) =>
        text.Length > MaxTextLength ? $"is longer than {MaxTextLength} characters"
        : SensitiveTextScreen.Find(text) is { } found ? $"appears to hold sensitive personal data ({found.Category}: '{found.Term}'), which the hub never accepts"
        : null;

    internal static ProvidedRecord Provide(EncodedCustomer customer, IReadOnlySet<string> allowed)
    {
        var (record, items) = RecordFields.DecodeMasked<CustomerRecord>(customer.Data, allowed);
        return new ProvidedRecord(record, items.Order(StringComparer.Ordinal).ToList());
    }

    // A vendor reading for a garage's after-sales service receives the data as that garage's agent.
    internal static (string Recipient, string? Agent) RecipientOf(Party caller, string ownerParty, string purpose) =>
        caller.Role == PartyRole.Vendor && purpose == Purposes.AfterSales ? (ownerParty, caller.Id) : (caller.Id, null);

    private static List<string> Requested(IReadOnlyCollection<string> items) => items.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>The refusal of a malformed request (rule <see cref="PolicyRules.RequestMalformed"/>).</summary>
    public static ExchangeException Malformed(string problem) =>
        new(FailureKind.InvalidArgument, $"{problem} (rule {PolicyRules.RequestMalformed})", PolicyRules.RequestMalformed);

    private static void RequireFilterText(IEnumerable<string> values, string field)
    {
        foreach (var value in values)
        {
            var problem = value.Length > MaxFilterText ? $"is longer than {MaxFilterText} characters" : Identifiers.TextProblem(value);
            if (problem is not null)
            {
                throw Malformed($"{field} {Identifiers.Quote(value)} {problem}");
            }
        }
    }

    private async Task<PolicyDecision> DecideReadAsync(Party caller, AccessKind kind, string purpose, IReadOnlyCollection<string> items, string? owner, DeclarationRecord declaration, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var authorised = caller.Role == PartyRole.Vendor && owner is not null
            && await IsAuthorisedAsync(owner, caller.Id, VendorOperations.Read, now, cancellationToken).ConfigureAwait(false);
        return policy.Decide(new AccessRequest(caller, kind, purpose, items, owner, authorised), declaration, await grants.ListAsync(cancellationToken).ConfigureAwait(false));
    }

    private async Task<bool> IsAuthorisedAsync(string garage, string vendor, string operation, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await authorisations.FindAsync(garage, vendor, cancellationToken).ConfigureAwait(false)).Any(a => a.Covers(operation, now));

    private Task<ExchangeException> RefuseAsync(ProvisionFact refusal, ExchangeException error, CancellationToken cancellationToken) =>
        RefuseAsync([refusal], error, cancellationToken);

    private async Task<ExchangeException> RefuseAsync(IReadOnlyList<ProvisionFact> refusals, ExchangeException error, CancellationToken cancellationToken)
    {
        await recorder.RecordAsync(refusals, cancellationToken).ConfigureAwait(false);
        return error;
    }
}
