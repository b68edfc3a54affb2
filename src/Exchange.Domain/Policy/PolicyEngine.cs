using Exchange.Domain.Declarations;
using Exchange.Domain.Items;
using Exchange.Domain.Parties;

namespace Exchange.Domain.Policy;

/// <summary>What a call wants to do with records.</summary>
public enum AccessKind
{
    /// <summary>Write records into the hub.</summary>
    Write,

    /// <summary>Read person-level records.</summary>
    Read,

    /// <summary>Receive aggregates only.</summary>
    Aggregate,
}

/// <summary>One access to decide.</summary>
/// <param name="Caller">The calling party.</param>
/// <param name="Kind">Write, read or aggregate.</param>
/// <param name="Purpose">The purpose the call names.</param>
/// <param name="RequestedItems">Item IDs or group names as requested.</param>
/// <param name="OwnerParty">The garage whose records are concerned, when one is named.</param>
/// <param name="VendorAuthorised">For a vendor: whether the owner's authorisation covers this call now.</param>
public sealed record AccessRequest(Party Caller, AccessKind Kind, string Purpose, IReadOnlyCollection<string> RequestedItems, string? OwnerParty, bool VendorAuthorised);

/// <summary>PERMIT with the items allowed, or DENY with the rule that refused.</summary>
public sealed record PolicyDecision(bool Permitted, IReadOnlySet<string> AllowedItems, string? Rule, string? Reason, FailureKind FailureKind)
{
    internal static PolicyDecision Permit(IReadOnlySet<string> items) => new(true, items, null, null, FailureKind.PermissionDenied);

    internal static PolicyDecision Deny(string rule, string reason, FailureKind kind = FailureKind.PermissionDenied) =>
        new(false, new HashSet<string>(), rule, reason, kind);

    /// <summary>The refusal as an exception carrying the rule.</summary>
    public ExchangeException ToException() => new(FailureKind, $"{Reason} (rule {Rule})", Rule);
}

/// <summary>The rules the engine can refuse by; their names appear in refusals and the provision log.</summary>
public static class PolicyRules
{
    /// <summary>The caller is suspended or withdrawn.</summary>
    public const string PartyInactive = "party.inactive";

    /// <summary>The caller's certificate names a party the registry does not hold.</summary>
    public const string PartyUnknown = "party.unknown";

    /// <summary>The caller falls under no joint user of the declaration in force, so it receives nothing.</summary>
    public const string PartyNotJointUser = "party.not-joint-user";

    /// <summary>The call names no purpose.</summary>
    public const string PurposeMissing = "purpose.missing";

    /// <summary>The request's purpose or items are not well-formed identifiers; the log records neither.</summary>
    public const string RequestMalformed = "request.malformed";

    /// <summary>The purpose is not in the declaration in force.</summary>
    public const string PurposeUndeclared = "purpose.undeclared";

    /// <summary>The purpose is declared but not granted to the caller.</summary>
    public const string PurposeNotGranted = "purpose.not-granted";

    /// <summary>An item is not in the schema or not in the declaration in force.</summary>
    public const string ItemUndeclared = "item.undeclared";

    /// <summary>An item is declared but not granted to the caller for the purpose.</summary>
    public const string ItemNotGranted = "item.not-granted";

    /// <summary>After-sales use is for the owning garage's own records only.</summary>
    public const string OwnRecordsOnly = "after-sales.own-records-only";

    /// <summary>A member garage sees no other garage's customers.</summary>
    public const string MemberOwnCustomersOnly = "member.own-customers-only";

    /// <summary>The vendor has no current authorisation from the garage.</summary>
    public const string VendorNotAuthorised = "vendor.not-authorised";

    /// <summary>Writes are made only for the owning garage's after-sales service.</summary>
    public const string WriteAfterSalesOnly = "write.after-sales-only";

    /// <summary>Statistics leave only as aggregates.</summary>
    public const string StatisticsAggregateOnly = "statistics.aggregate-only";

    /// <summary>Aggregates are only for the statistics purpose.</summary>
    public const string AggregateStatisticsOnly = "aggregate.statistics-only";

    /// <summary>Fewer than k persons would be aggregated.</summary>
    public const string StatisticsBelowK = "statistics.below-k";

    /// <summary>The person opted out of the purpose.</summary>
    public const string PersonOptedOut = "person.opted-out";

    /// <summary>The record carries an undeclared or unknown field, or sensitive text.</summary>
    public const string RecordRefused = "record.refused";

    /// <summary>The owning garage is suspended: its customers' records are provided for recall only.</summary>
    public const string OwnerSuspended = "owner.suspended";

    /// <summary>The owning garage has withdrawn: its customers' records are provided for no purpose.</summary>
    public const string OwnerWithdrawn = "owner.withdrawn";

    /// <summary>The record's owner is not in the registry: deny by default.</summary>
    public const string OwnerUnregistered = "owner.unregistered";

    /// <summary>The purpose is one a person cannot opt out of (recall).</summary>
    public const string OptOutNotAllowed = "opt-out.not-allowed";

    /// <summary>A recall notice's vehicle is no longer in its garage's records (the record or the vehicle was deleted since).</summary>
    public const string RecallVehicleNotHeld = "recall.vehicle-not-held";

    /// <summary>The request asks for more than one call may (records in a batch, model codes in a search).</summary>
    public const string RequestTooLarge = "request.too-large";
}

/// <summary>
/// Decides each access: pure, no I/O, deny by default. Order: caller active → caller a joint user of
/// the declaration → purpose named →
/// items declared → purpose declared (or the owner's own after-sales) → granted to the caller →
/// items granted. Opt-outs and k-anonymity are applied per person by the caller of the engine.
/// </summary>
public static class PolicyEngine
{
    /// <summary>Decides <paramref name="request"/> under <paramref name="declaration"/> and <paramref name="grants"/>.</summary>
    public static PolicyDecision Decide(AccessRequest request, DeclarationRecord declaration, IReadOnlyList<Grant> grants)
    {
        var caller = request.Caller;
        if (caller.Status != PartyStatus.Active)
        {
            return PolicyDecision.Deny(PolicyRules.PartyInactive, $"party '{caller.Id}' is {caller.Status.ToString().ToLowerInvariant()}");
        }

        if (declaration.JointUserOf(caller) is null)
        {
            var under = caller.Role == PartyRole.MemberGarage ? "the member-garage class is not declared" : $"no {caller.Role.ToWire()} joint user names party ID '{caller.Id}'";
            return PolicyDecision.Deny(PolicyRules.PartyNotJointUser, $"{caller.Role.ToWire()} '{caller.Id}' is not a joint user of declaration version {declaration.Version} ({under}), so it receives nothing");
        }

        if (string.IsNullOrWhiteSpace(request.Purpose))
        {
            return PolicyDecision.Deny(PolicyRules.PurposeMissing, "every data request must name its purpose; there is no default", FailureKind.InvalidArgument);
        }

        var catalog = ItemCatalog.CustomerRecords;
        var explicitItems = new HashSet<string>(StringComparer.Ordinal);
        var groups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in request.RequestedItems)
        {
            if (catalog.Items.Contains(entry) && declaration.Items.Contains(entry))
            {
                explicitItems.Add(entry);
            }
            else if (catalog.Groups.Contains(entry))
            {
                groups.Add(entry);
            }
            else
            {
                return PolicyDecision.Deny(PolicyRules.ItemUndeclared, $"item '{entry}' is not declared in declaration version {declaration.Version}");
            }
        }

        if (request.Kind != AccessKind.Write && explicitItems.Count == 0 && groups.Count == 0)
        {
            return PolicyDecision.Deny(PolicyRules.ItemUndeclared, "the request names no items", FailureKind.InvalidArgument);
        }

        // Items of a requested group that are declared; narrowed to what is granted below.
        var groupItems = declaration.Items.Where(i => groups.Contains(ItemCatalog.GroupOf(i))).ToHashSet(StringComparer.Ordinal);

        if (request.Purpose == Purposes.AfterSales)
        {
            return DecideAfterSales(request, declaration, explicitItems, groupItems);
        }

        if (!declaration.PurposeIds.Contains(request.Purpose))
        {
            return PolicyDecision.Deny(PolicyRules.PurposeUndeclared, $"purpose '{request.Purpose}' is not declared in declaration version {declaration.Version}");
        }

        if (request.Kind == AccessKind.Write)
        {
            return PolicyDecision.Deny(PolicyRules.WriteAfterSalesOnly, $"records are written for '{Purposes.AfterSales}' only, not '{request.Purpose}'");
        }

        if (request.Kind == AccessKind.Read && request.Purpose == Purposes.Statistics)
        {
            return PolicyDecision.Deny(PolicyRules.StatisticsAggregateOnly, "statistics leave the hub only as aggregates; use QueryStatistics");
        }

        if (request.Kind == AccessKind.Aggregate && request.Purpose != Purposes.Statistics)
        {
            return PolicyDecision.Deny(PolicyRules.AggregateStatisticsOnly, $"aggregates are provided for '{Purposes.Statistics}' only");
        }

        if (caller.Role == PartyRole.MemberGarage && request.OwnerParty != caller.Id)
        {
            return PolicyDecision.Deny(PolicyRules.MemberOwnCustomersOnly, $"member garage '{caller.Id}' may only receive its own customers' data");
        }

        var granted = grants.Where(g => g.Purpose == request.Purpose && g.AppliesTo(caller)).SelectMany(g => g.Items)
            .Where(declaration.Items.Contains).ToHashSet(StringComparer.Ordinal);
        if (granted.Count == 0)
        {
            return PolicyDecision.Deny(PolicyRules.PurposeNotGranted, $"purpose '{request.Purpose}' is not granted to {caller.Role.ToWire()} '{caller.Id}'");
        }

        var refused = explicitItems.Where(i => !granted.Contains(i)).Order(StringComparer.Ordinal).ToList();
        if (refused.Count > 0)
        {
            return PolicyDecision.Deny(PolicyRules.ItemNotGranted, $"item(s) {string.Join(", ", refused)} not granted to '{caller.Id}' for '{request.Purpose}'");
        }

        var allowed = explicitItems.Concat(groupItems.Where(granted.Contains)).ToHashSet(StringComparer.Ordinal);
        if (allowed.Count == 0)
        {
            return PolicyDecision.Deny(PolicyRules.ItemNotGranted, $"none of the requested items is granted to '{caller.Id}' for '{request.Purpose}'");
        }

        return PolicyDecision.Permit(allowed);
    }

    /// <summary>
    /// Whether records owned by <paramref name="owner"/> may be provided for <paramref name="purpose"/>,
    /// given the owner's status in the registry (null: not registered): null when they may, else the
    /// refusal. A suspended garage's customers are still reached by a recall; a withdrawn garage's,
    /// and those of an owner the registry does not know, by nothing.
    /// </summary>
    public static PolicyDecision? OwnerRefusal(string owner, PartyStatus? status, string purpose) => status switch
    {
        PartyStatus.Active => null,
        PartyStatus.Suspended when purpose == Purposes.Recall => null,
        PartyStatus.Suspended => PolicyDecision.Deny(PolicyRules.OwnerSuspended, $"garage '{owner}' is suspended: its customers' records are provided for '{Purposes.Recall}' only"),
        PartyStatus.Withdrawn => PolicyDecision.Deny(PolicyRules.OwnerWithdrawn, $"garage '{owner}' has withdrawn from the joint use: its customers' records are provided for no purpose"),
        _ => PolicyDecision.Deny(PolicyRules.OwnerUnregistered, $"'{owner}' is not a party registered at the hub: its records are provided for no purpose"),
    };

    private static PolicyDecision DecideAfterSales(AccessRequest request, DeclarationRecord declaration, HashSet<string> explicitItems, HashSet<string> groupItems)
    {
        var caller = request.Caller;
        var ownRecords = caller.Role == PartyRole.MemberGarage && (request.OwnerParty is null || request.OwnerParty == caller.Id);
        if (caller.Role == PartyRole.Vendor && request.OwnerParty is not null)
        {
            if (!request.VendorAuthorised)
            {
                return PolicyDecision.Deny(PolicyRules.VendorNotAuthorised, $"vendor '{caller.Id}' holds no current authorisation from '{request.OwnerParty}' for this operation");
            }

            ownRecords = true;
        }

        if (!ownRecords)
        {
            return PolicyDecision.Deny(PolicyRules.OwnRecordsOnly, $"'{Purposes.AfterSales}' is the owning garage's own use of its own records");
        }

        // The garage's own records: every declared item is its own to use.
        var allowed = request.Kind == AccessKind.Write
            ? declaration.Items.ToHashSet(StringComparer.Ordinal)
            : explicitItems.Concat(groupItems).ToHashSet(StringComparer.Ordinal);
        return PolicyDecision.Permit(allowed);
    }
}
