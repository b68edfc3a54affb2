using Exchange.Domain.Declarations;
using Exchange.Domain.Parties;

namespace Exchange.Domain.Policy;

/// <summary>Whom a grant is for.</summary>
public enum GrantSubjectKind
{
    /// <summary>Every party of a role.</summary>
    Role,

    /// <summary>One party.</summary>
    Party,
}

/// <summary>Permission for a role or a party to receive <see cref="Items"/> for <see cref="Purpose"/>.</summary>
/// <param name="Kind">Role or party.</param>
/// <param name="Subject">The role's wire name or the party ID.</param>
/// <param name="Purpose">The purpose ID.</param>
/// <param name="Items">The item IDs granted.</param>
public sealed record Grant(GrantSubjectKind Kind, string Subject, string Purpose, IReadOnlySet<string> Items)
{
    /// <summary>True when the grant applies to <paramref name="party"/>.</summary>
    public bool AppliesTo(Party party) => Kind switch
    {
        GrantSubjectKind.Role => Subject == party.Role.ToWire(),
        GrantSubjectKind.Party => Subject == party.Id,
        _ => false,
    };
}

/// <summary>The grants; storage implements it.</summary>
public interface IGrantStore
{
    /// <summary>Every grant.</summary>
    Task<IReadOnlyList<Grant>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces the grant for (subject, purpose).</summary>
    Task SetAsync(Grant grant, CancellationToken cancellationToken);

    /// <summary>Removes the grant for (subject, purpose); false when there was none.</summary>
    Task<bool> RemoveAsync(GrantSubjectKind kind, string subject, string purpose, CancellationToken cancellationToken);
}

/// <summary>The grants the hub ships with, read from the declaration's purposes and the roles of its joint users.</summary>
public static class DefaultGrants
{
    private static readonly string[] Contact = ["contact.name", "contact.address", "contact.phone", "contact.email"];

    /// <summary>The default grants.</summary>
    public static IReadOnlyList<Grant> Create()
    {
        var all = Items.ItemCatalog.CustomerRecords.Items;
        var vehicleRepairCost = all.Where(i => !i.StartsWith("contact.", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var groupBody = PartyRole.GroupBody.ToWire();
        return
        [
            // Group body: statistics (aggregates only), marketing, service planning and management advice. For recall it
            // gets counts only (GetProgress): the notices go to the owning garages, unless an administrator grants otherwise.
            new(GrantSubjectKind.Role, groupBody, Purposes.Statistics, all.ToHashSet(StringComparer.Ordinal)),
            new(GrantSubjectKind.Role, groupBody, Purposes.Marketing, Set([.. Contact, "contact.replacement_intent", "vehicle.inspection_certificate", "vehicle.mileage"])),
            new(GrantSubjectKind.Role, groupBody, Purposes.ServicePlanning, vehicleRepairCost),
            new(GrantSubjectKind.Role, groupBody, Purposes.ManagementAdvice, Set(["vehicle.entry_date", "repair.work", "repair.parts", "cost.estimate_date", "cost.sales_date", "cost.billed_amount"])),
            // Vendor: statistics without contact data.
            new(GrantSubjectKind.Role, PartyRole.Vendor.ToWire(), Purposes.Statistics, vehicleRepairCost),
            // Member garage: recall notices about its own customers.
            new(GrantSubjectKind.Role, PartyRole.MemberGarage.ToWire(), Purposes.Recall, Set([.. Contact, "vehicle.inspection_certificate"])),
        ];
    }

    private static HashSet<string> Set(IEnumerable<string> items) => items.ToHashSet(StringComparer.Ordinal);
}
