using Exchange.Domain.Parties;

namespace Exchange.Domain.Records;

/// <summary>What one purpose-checked read finds, in one statement: the record, the person's opt-out and the owner's standing.</summary>
/// <param name="Customer">The record, encoded, or null when the owner holds none under that reference.</param>
/// <param name="OptedOut">Whether the person opted out of the purpose asked about.</param>
/// <param name="OwnerStatus">The owning garage's status in the registry now, or null when it is not registered.</param>
public sealed record CustomerLookup(EncodedCustomer? Customer, bool OptedOut, PartyStatus? OwnerStatus);
