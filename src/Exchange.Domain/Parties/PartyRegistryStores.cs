namespace Exchange.Domain.Parties;

/// <summary>A party with what the registry keeps about it besides its identity.</summary>
/// <param name="Party">The party.</param>
/// <param name="Contact">Whom to contact, free text for the operator.</param>
/// <param name="CreatedAt">When it was registered.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record PartyDetails(Party Party, string? Contact, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A vendor authorisation as recorded, with who recorded and who revoked it.</summary>
/// <param name="Id">Its ID.</param>
/// <param name="Authorisation">What it authorises.</param>
/// <param name="RecordedAt">When it was recorded.</param>
/// <param name="RecordedBy">The party that recorded it (the garage or an administrator).</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
/// <param name="RevokedBy">Who revoked it.</param>
public sealed record RecordedAuthorisation(long Id, VendorAuthorisation Authorisation, DateTimeOffset RecordedAt, string? RecordedBy, DateTimeOffset? RevokedAt, string? RevokedBy);

/// <summary>The partner registry's storage. Writes join the current unit of work.</summary>
public interface IPartyRegistryStore
{
    /// <summary>The party, or null.</summary>
    Task<PartyDetails?> FindAsync(string partyId, CancellationToken cancellationToken);

    /// <summary>Parties matching the filters (null: any), ordered by ID.</summary>
    Task<IReadOnlyList<PartyDetails>> ListAsync(PartyRole? role, PartyStatus? status, CancellationToken cancellationToken);

    /// <summary>Registers a party.</summary>
    Task AddAsync(PartyDetails party, CancellationToken cancellationToken);

    /// <summary>Changes a party's status.</summary>
    Task SetStatusAsync(string partyId, PartyStatus status, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>The recorded vendor authorisations, for administering them. Writes join the current unit of work.</summary>
public interface IAuthorisationRegistryStore
{
    /// <summary>Records an authorisation and returns it with its ID.</summary>
    Task<RecordedAuthorisation> AddAsync(VendorAuthorisation authorisation, string recordedBy, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The authorisation, or null.</summary>
    Task<RecordedAuthorisation?> FindAsync(long id, CancellationToken cancellationToken);

    /// <summary>Authorisations matching the filters (null: any), oldest first.</summary>
    Task<IReadOnlyList<RecordedAuthorisation>> ListAsync(string? garageId, string? vendorId, CancellationToken cancellationToken);

    /// <summary>Ends an authorisation at <paramref name="at"/> (its validity ends then at the latest); returns it as revoked.</summary>
    Task<RecordedAuthorisation> RevokeAsync(long id, string revokedBy, DateTimeOffset at, CancellationToken cancellationToken);
}
