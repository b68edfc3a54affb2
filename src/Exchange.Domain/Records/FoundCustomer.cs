using Exchange.Domain.Parties;

namespace Exchange.Domain.Records;

/// <summary>A record a search found, with its owner and the owner's standing, read in the same statement.</summary>
/// <param name="Customer">The record, encoded.</param>
/// <param name="OwnerParty">The owning garage.</param>
/// <param name="OwnerStatus">The owning garage's status in the registry now, or null when it is not registered.</param>
public sealed record FoundCustomer(EncodedCustomer Customer, string OwnerParty, PartyStatus? OwnerStatus);
