using Exchange.Contracts.V1;
using Exchange.Domain.Declarations;
using Exchange.Domain.Items;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Exchange.Domain.Provisions;
using Google.Protobuf;

namespace Exchange.Domain.Records;

/// <summary>
/// The checks every write of one call makes, record by record: the request's form, the policy for
/// the owning garage (with the vendor's write authorisation), the record's content, and for a
/// deletion the owner's standing. Decisions per owner are made once per call.
/// </summary>
internal sealed class WriteChecks
{
    // CustomerRecords' screen of free text (length, sensitive categories).
    private readonly Func<string, string?> _screen;
    private readonly CallContext _call;
    private readonly string _purpose;
    private readonly string? _malformed;
    private readonly IReadOnlyList<Policy.Grant> _grants;
    private readonly PolicyDecisions _policy;
    private readonly Func<string, string, CancellationToken, Task<bool>> _writeAuthorised;
    private readonly IPartyDirectory _parties;
    private readonly SubjectPseudonyms _pseudonyms;
    private readonly Dictionary<string, PolicyDecision> _decisions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PolicyDecision?> _standings = new(StringComparer.Ordinal);

    public WriteChecks(CallContext call, string purpose, DeclarationRecord declaration, DateTimeOffset now, IReadOnlyList<Policy.Grant> grants, PolicyDecisions policy,
        Func<string, string, CancellationToken, Task<bool>> writeAuthorised, IPartyDirectory parties, SubjectPseudonyms pseudonyms, Func<string, string?> screen)
    {
        _call = call;
        _purpose = purpose;
        _malformed = Identifiers.RequestProblem(purpose, []);
        Declaration = declaration;
        Now = now;
        _grants = grants;
        _policy = policy;
        _writeAuthorised = writeAuthorised;
        _parties = parties;
        _pseudonyms = pseudonyms;
        _screen = screen;
        Agent = call.Caller.Role == PartyRole.Vendor ? call.Caller.Id : null;
    }

    public DeclarationRecord Declaration { get; }

    public DateTimeOffset Now { get; }

    /// <summary>The vendor writing for a garage, or null when a garage writes.</summary>
    public string? Agent { get; }

    /// <summary>The person's request the writes carry out, or null.</summary>
    public string? RequestId { get; init; }

    /// <summary>The owner a change names: a garage may leave it empty for its own customers.</summary>
    public string OwnerOf(string ownerParty) =>
        string.IsNullOrEmpty(ownerParty) && _call.Caller.Role == PartyRole.MemberGarage ? _call.Caller.Id : ownerParty;

    /// <summary>
    /// Checks an upsert. <paramref name="ownerProblem"/> (a batch's) refuses it before the policy,
    /// <paramref name="afterContent"/> (a batch's duplicate check) after its content.
    /// </summary>
    public async Task<CheckedChange> UpsertAsync(CustomerRecord record, string where, string? ownerProblem, Func<CustomerRecord, string?>? afterContent, CancellationToken cancellationToken)
    {
        var owner = OwnerOf(record.OwnerParty);
        // The record as it would be stored (owner set), encoded once: the inspection reads the same bytes the store writes.
        var copy = record.Clone();
        copy.OwnerParty = owner;
        var encoded = copy.ToByteArray();
        var inspection = RecordFields.Inspect(CustomerRecord.Descriptor, encoded, _screen);
        var items = inspection.Items.Order(StringComparer.Ordinal).ToList();
        var subject = SubjectOf(owner, record.CustomerRef);
        CheckedChange Refused(ExchangeException refusal) => new(owner, record.CustomerRef, subject, items, null, refusal);

        if (_malformed is not null)
        {
            return Refused(CustomerRecords.Malformed(_malformed));
        }

        if (ownerProblem is null && await DecideAsync(owner, cancellationToken).ConfigureAwait(false) is { Permitted: false } decision)
        {
            return Refused(decision.ToException());
        }

        var problem = ownerProblem ?? ContentProblem(record, inspection, owner) ?? afterContent?.Invoke(record);
        return problem is not null
            ? Refused(new ExchangeException(FailureKind.InvalidArgument, $"{where}{problem}; nothing was stored (rule {PolicyRules.RecordRefused})", PolicyRules.RecordRefused))
            : new CheckedChange(owner, record.CustomerRef, subject, items, new StoredCustomer(subject!, copy, encoded, Now), null);
    }

    /// <summary>Checks a deletion as a write, and then the owner's standing.</summary>
    public async Task<CheckedChange> DeletionAsync(CustomerKey key, CancellationToken cancellationToken)
    {
        var owner = OwnerOf(key.OwnerParty);
        var subject = SubjectOf(owner, key.CustomerRef);
        CheckedChange Refused(ExchangeException refusal) => new(owner, key.CustomerRef, subject, [], null, refusal);
        if (_malformed is not null)
        {
            return Refused(CustomerRecords.Malformed(_malformed));
        }

        if (KeyProblem(owner, key.CustomerRef) is { } keyProblem)
        {
            return Refused(new ExchangeException(FailureKind.InvalidArgument, $"{keyProblem}; nothing was deleted (rule {PolicyRules.RecordRefused})", PolicyRules.RecordRefused));
        }

        if (await DecideAsync(owner, cancellationToken).ConfigureAwait(false) is { Permitted: false } decision)
        {
            return Refused(decision.ToException());
        }

        if (!_standings.TryGetValue(owner, out var standing))
        {
            var party = await _parties.FindAsync(owner, cancellationToken).ConfigureAwait(false);
            standing = _standings[owner] = PolicyEngine.OwnerRefusal(owner, party?.Status, _purpose);
        }

        return standing is not null ? Refused(standing.ToException()) : new CheckedChange(owner, key.CustomerRef, subject, [], null, null);
    }

    /// <summary>A change that is neither an upsert nor a deletion.</summary>
    public CheckedChange Empty() =>
        new("", "", null, [], null, CustomerRecords.Malformed(_malformed ?? "a change carries an upsert or a delete"));

    /// <summary>
    /// The provision-log fact of <paramref name="change"/>. The provider is whoever offered the data:
    /// the caller, or the garage a vendor writes for (when a party ID) with the vendor as agent. A
    /// write is received only from the owner, so a refused attempt on another garage's customer names
    /// the party that made it, not the owner.
    /// </summary>
    public ProvisionFact Fact(CheckedChange change, ProvisionOutcome outcome, string? rule) =>
        new(Now, Agent is not null && Identifiers.IsPartyId(change.Owner) ? change.Owner : _call.Caller.Id, ProvisionFact.Hub, Agent, change.SubjectId, change.Items,
            _malformed is null ? _purpose : "", Declaration.Version, Declaration.Hash, _call.CallId, outcome, rule, _call.StaffId);

    /// <summary>The refusal fact of <paramref name="change"/>, under its own rule or <paramref name="rule"/>.</summary>
    public ProvisionFact Refusal(CheckedChange change, string? rule = null) => Fact(change, ProvisionOutcome.Refused, rule ?? change.Refusal?.Rule);

    public RecordChange Change(CheckedChange change, RecordChangeKind kind) =>
        new(change.Owner, change.CustomerRef, change.SubjectId!, kind, Agent, Now, _call.CallId, change.Stored?.Record, RequestId);

    private string? SubjectOf(string owner, string customerRef) =>
        Identifiers.IsPartyId(owner) && Identifiers.ReferenceProblem(customerRef) is null ? _pseudonyms.SubjectOf(owner, customerRef) : null;

    private async Task<PolicyDecision> DecideAsync(string owner, CancellationToken cancellationToken)
    {
        if (!_decisions.TryGetValue(owner, out var decision))
        {
            var caller = _call.Caller;
            var authorised = caller.Role == PartyRole.Vendor && Identifiers.IsPartyId(owner)
                && await _writeAuthorised(owner, caller.Id, cancellationToken).ConfigureAwait(false);
            decision = _decisions[owner] = _policy.Decide(new AccessRequest(caller, AccessKind.Write, _purpose, [], string.IsNullOrEmpty(owner) ? null : owner, authorised), Declaration, _grants);
        }

        return decision;
    }

    private static string? KeyProblem(string owner, string customerRef) =>
        string.IsNullOrEmpty(owner) ? "owner_party is required when a vendor writes for a garage"
        : !Identifiers.IsPartyId(owner) ? $"owner_party {Identifiers.Quote(owner)} is not a party ID"
        : Identifiers.ReferenceProblem(customerRef) is { } refProblem ? $"customer_ref {refProblem}"
        : null;

    private string? ContentProblem(CustomerRecord record, RecordInspection inspection, string owner)
    {
        if (KeyProblem(owner, record.CustomerRef) is { } keyProblem)
        {
            return keyProblem;
        }

        if (inspection.HasUnknownFields)
        {
            return "the record carries fields the schema does not define";
        }

        var undeclared = inspection.Items.Where(i => !Declaration.Items.Contains(i)).Order(StringComparer.Ordinal).ToList();
        if (undeclared.Count > 0)
        {
            return $"item(s) {string.Join(", ", undeclared)} are not declared in declaration version {Declaration.Version}";
        }

        if (inspection.Problem is { } found)
        {
            return $"{found.Path} {found.Problem}";
        }

        var vehicleRefs = record.Vehicles.Select(v => v.VehicleRef).ToList();
        if (vehicleRefs.Select(Identifiers.ReferenceProblem).FirstOrDefault(p => p is not null) is { } vehicleProblem)
        {
            return $"a vehicle_ref {vehicleProblem}";
        }

        if (vehicleRefs.Distinct(StringComparer.Ordinal).Count() != vehicleRefs.Count)
        {
            return "every vehicle needs a vehicle_ref unique within the record";
        }

        foreach (var vehicle in record.Vehicles)
        {
            if (vehicle.Images.Select(VehicleImages.Problem).FirstOrDefault(p => p is not null) is { } imageProblem)
            {
                return $"vehicle {Identifiers.Quote(vehicle.VehicleRef)}: an image {imageProblem}";
            }
        }

        if (record.Costs.Any(c => c.BilledAmountYen < 0) || record.Repairs.SelectMany(r => r.Parts).Any(p => p.Quantity < 0 || p.UnitPriceYen < 0))
        {
            return "amounts and quantities cannot be negative";
        }

        return null;
    }
}
