using Exchange.Contracts.V1;

namespace Exchange.Domain.Records;

/// <summary>One customer's record to store.</summary>
/// <param name="SubjectId">The person's pseudonymous ID.</param>
/// <param name="Record">The record (owner_party and customer_ref set).</param>
/// <param name="Encoded">
/// <paramref name="Record"/>'s protobuf encoding, which is what is stored: the write inspected these
/// bytes, and encoded them before its transaction (which holds the hub's write gate).
/// </param>
/// <param name="UpdatedAt">When it is written.</param>
public sealed record StoredCustomer(string SubjectId, CustomerRecord Record, byte[] Encoded, DateTimeOffset UpdatedAt);

/// <summary>One customer's record as stored, still encoded: a read decodes only what it may provide.</summary>
/// <param name="SubjectId">The person's pseudonymous ID.</param>
/// <param name="Data">The record's protobuf encoding.</param>
/// <param name="UpdatedAt">When it was last written.</param>
public sealed record EncodedCustomer(string SubjectId, byte[] Data, DateTimeOffset UpdatedAt);

/// <summary>Which records a search wants.</summary>
/// <param name="OwnerParty">One garage, or null for all.</param>
/// <param name="ModelCodes">Vehicle model codes (any), or empty for all.</param>
/// <param name="Prefecture">One prefecture, or null for all.</param>
/// <param name="Limit">At most this many.</param>
public sealed record CustomerFilter(string? OwnerParty, IReadOnlyCollection<string> ModelCodes, string? Prefecture, int Limit);

/// <summary>Customer records and opt-outs; storage implements it. Writes join the current unit of work.</summary>
public interface ICustomerStore
{
    /// <summary>The record, or null.</summary>
    Task<EncodedCustomer?> FindAsync(string ownerParty, string customerRef, CancellationToken cancellationToken);

    /// <summary>
    /// The record, encoded, whether the person opted out of <paramref name="purpose"/>, and the
    /// owner's status in the registry, in one statement; the owner's status also when there is no record.
    /// </summary>
    Task<CustomerLookup> FindForPurposeAsync(string ownerParty, string customerRef, string purpose, CancellationToken cancellationToken);

    /// <summary>
    /// Creates or replaces the records (distinct owner and customer_ref); a record whose stored
    /// encoding is the same is left as it is. For each, what was done.
    /// </summary>
    Task<IReadOnlyList<UpsertOutcome>> UpsertAsync(IReadOnlyList<StoredCustomer> customers, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the record and its vehicles; false when the garage holds no such record. The person's
    /// opt-outs stay: they are the person's instruction, not the garage's record.
    /// </summary>
    Task<bool> DeleteAsync(string ownerParty, string customerRef, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the records matching <paramref name="filter"/> (its <see cref="CustomerFilter.Limit"/>
    /// is the caller's to apply): the first <paramref name="count"/> after <paramref name="after"/>
    /// (null: from the first) in a stable order, one garage's customers by customer_ref when the
    /// filter names one, everyone's in the order they were first stored otherwise. Each comes with
    /// its owner, the owner's status in the registry and whether the person opted out of
    /// <paramref name="optedOutOf"/> (never, when null), all read in one statement. Each page is a
    /// statement of its own, so that no read transaction stays open while a search's records go out;
    /// a page reads the records as they are then, so a record written after <paramref name="after"/>
    /// in the order is found by a later page and one written before it is not.
    /// </summary>
    Task<IReadOnlyList<FoundCustomer>> SearchPageAsync(CustomerFilter filter, SearchPosition? after, int count, string? optedOutOf, CancellationToken cancellationToken);

    /// <summary>
    /// Every record of <paramref name="ownerParty"/> (null: of every garage) whose owner is active in
    /// the registry, encoded, in a stable order, leaving out the persons opted out of
    /// <paramref name="excludeOptedOutOf"/> when it is set. Read from the database as the caller
    /// consumes them, so that no one holds them all.
    /// </summary>
    IAsyncEnumerable<EncodedCustomer> ScanAsync(string? ownerParty, string? excludeOptedOutOf, CancellationToken cancellationToken);

    /// <summary>Of <paramref name="subjectIds"/>, those opted out of <paramref name="purpose"/>.</summary>
    Task<IReadOnlySet<string>> OptedOutAsync(string purpose, IReadOnlyCollection<string> subjectIds, CancellationToken cancellationToken);

    /// <summary>The person's opt-outs in force, in purpose order.</summary>
    Task<IReadOnlyList<PersonOptOut>> OptOutsOfAsync(string subjectId, CancellationToken cancellationToken);

    /// <summary>Records or withdraws an opt-out.</summary>
    Task SetOptOutAsync(string subjectId, string purpose, bool optedOut, DateTimeOffset at, CancellationToken cancellationToken);
}
