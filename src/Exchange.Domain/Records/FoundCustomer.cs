using Exchange.Domain.Parties;

namespace Exchange.Domain.Records;

/// <summary>A record a search found, with what decides whether it may be provided, read in the same statement.</summary>
/// <param name="Position">The store's key for it; with <paramref name="CustomerRef"/>, where the next page starts.</param>
/// <param name="Customer">The record, encoded.</param>
/// <param name="OwnerParty">The owning garage.</param>
/// <param name="CustomerRef">The garage's reference for the customer.</param>
/// <param name="OwnerStatus">The owning garage's status in the registry now, or null when it is not registered.</param>
/// <param name="OptedOut">Whether the person opted out of the purpose the search asked about.</param>
public sealed record FoundCustomer(long Position, EncodedCustomer Customer, string OwnerParty, string CustomerRef, PartyStatus? OwnerStatus, bool OptedOut)
{
    /// <summary>Where the page after this record starts.</summary>
    public SearchPosition After => new(Position, CustomerRef);
}
