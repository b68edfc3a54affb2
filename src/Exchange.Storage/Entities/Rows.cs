namespace Exchange.Storage.Entities;

#pragma warning disable CA1819 // Byte-array properties are how EF maps BLOB columns.

internal sealed class PartyRow
{
    public required string Id { get; set; }
    public required string Role { get; set; }
    public required string Status { get; set; }
    public required string NameJa { get; set; }
    public required string NameEn { get; set; }
    public string? Contact { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class VendorAuthorisationRow
{
    public long Id { get; set; }
    public required string GarageId { get; set; }
    public required string VendorId { get; set; }
    public DateTimeOffset ValidFrom { get; set; }
    public DateTimeOffset? ValidUntil { get; set; }
    public required string Operations { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public string? RecordedBy { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
}

internal sealed class DeclarationRow
{
    public int Version { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
    public DateTimeOffset EffectiveAt { get; set; }
    public required byte[] Content { get; set; }
    public required string Hash { get; set; }
}

internal sealed class GrantRow
{
    public long Id { get; set; }
    public required string SubjectKind { get; set; }
    public required string Subject { get; set; }
    public required string Purpose { get; set; }
    public required string Items { get; set; }
}

internal sealed class CustomerRow
{
    public long Id { get; set; }
    public required string OwnerParty { get; set; }
    public required string CustomerRef { get; set; }
    public required string SubjectId { get; set; }
    public string? Prefecture { get; set; }
    public required byte[] Data { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<VehicleIndexRow> Vehicles { get; set; } = [];
}

internal sealed class SyncSessionRow
{
    public required string Id { get; set; }
    public required string PartyId { get; set; }
    public required string Purpose { get; set; }
    public long AcknowledgedSequence { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class VehicleIndexRow
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    public required string VehicleRef { get; set; }
    public string? ChassisNumber { get; set; }
    public string? ModelCode { get; set; }

    // Normalised for recall matching (VehicleIdentifiers): a campaign's ranges are looked up on (frame, serial).
    public string? ChassisFrame { get; set; }
    public long? ChassisSerial { get; set; }
    public string? ModelCodeNormalised { get; set; }
    public string? ModelBase { get; set; }

    // Year * 100 + month.
    public int? FirstRegistered { get; set; }
}

internal sealed class OptOutRow
{
    public required string SubjectId { get; set; }
    public required string Purpose { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>
/// One provision-log entry: when, whose, in which call, and its hash; what it states besides is
/// its <see cref="ProvisionTermsRow"/>, shared by the entries that state the same. Its previous
/// hash is the entry before's <see cref="EntryHash"/>, so it is not stored again.
/// </summary>
internal sealed class ProvisionEntryRow
{
    // Fixed-width columns first: PostgreSQL aligns each to its width within the row.
    public long Sequence { get; set; }
    public DateTimeOffset Time { get; set; }
    public int TermsId { get; set; }
    public string? SubjectId { get; set; }
    public required string CallId { get; set; }
    public required string EntryHash { get; set; }
}

/// <summary>
/// What provision-log entries state apart from their time, person and call: who gave whom which
/// items for which purpose under which declaration, and the outcome. Stored once for every entry
/// stating the same, found by <see cref="Digest"/>.
/// </summary>
internal sealed class ProvisionTermsRow
{
    public int Id { get; set; }
    public required byte[] Digest { get; set; }
    public required string Provider { get; set; }
    public required string Recipient { get; set; }
    public string? Agent { get; set; }
    public required string Items { get; set; }
    public required string Purpose { get; set; }
    public int DeclarationVersion { get; set; }
    public required string DeclarationHash { get; set; }
    public int Outcome { get; set; }
    public string? Rule { get; set; }
    public string? StaffId { get; set; }
}

/// <summary>
/// The provision log's lookup by person: one row per entry that names a person. Added in large
/// sorted batches by <see cref="Stores.ProvisionSubjectIndexer"/>, not with each entry, for entries
/// up to <see cref="SubjectIndexStateRow.IndexedThrough"/>; later ones are found by scanning.
/// </summary>
internal sealed class ProvisionSubjectRow
{
    public required string SubjectId { get; set; }
    public long Sequence { get; set; }
}

/// <summary>The one row saying through which sequence the provision log is indexed by person.</summary>
internal sealed class SubjectIndexStateRow
{
    public int Id { get; set; }
    public long IndexedThrough { get; set; }
}

/// <summary>
/// The one row counting changes to the reference data hub instances cache (declaration versions,
/// grants); see <see cref="Stores.ReferenceDataVersion"/>.
/// </summary>
internal sealed class ReferenceDataVersionRow
{
    public int Id { get; set; }
    public long Version { get; set; }
}

internal sealed class CheckpointRow
{
    public long Id { get; set; }
    public long Sequence { get; set; }
    public required string EntryHash { get; set; }
    public DateTimeOffset SignedAt { get; set; }
    public required byte[] Signature { get; set; }
}

/// <summary>A checkpoint a verification found the chain intact through: where the next one starts.</summary>
internal sealed class VerifiedCheckpointRow
{
    public long Id { get; set; }
    public long Sequence { get; set; }
    public required string EntryHash { get; set; }
    public DateTimeOffset VerifiedAt { get; set; }
    public required byte[] Signature { get; set; }
}

internal sealed class SigningRequestRow
{
    public required string Id { get; set; }
    public required string PartyId { get; set; }
    public required string CsrPem { get; set; }
    public required string KeyDescription { get; set; }
    public required string PublicKeySha256 { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
    public required string SubmittedBy { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? DecidedBy { get; set; }
    public string? DecisionNote { get; set; }
    public string? CertificateSerial { get; set; }
}

internal sealed class IssuedCertificateRow
{
    public required string SerialNumber { get; set; }
    public required string PartyId { get; set; }
    public DateTimeOffset NotBefore { get; set; }
    public DateTimeOffset NotAfter { get; set; }
    public required string Sha256Fingerprint { get; set; }
    public required string PublicKeySha256 { get; set; }
    public required string Kind { get; set; }
    public string? RequestId { get; set; }
    public string? RenewedFrom { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    public required string IssuedBy { get; set; }
    public required string CertificatePem { get; set; }
}

/// <summary>Append-only: a revocation is never undone.</summary>
internal sealed class CertificateRevocationRow
{
    public required string SerialNumber { get; set; }
    public string? PartyId { get; set; }
    public DateTimeOffset RevokedAt { get; set; }
    public int Reason { get; set; }
    public string? Note { get; set; }
    public required string RevokedBy { get; set; }
}

/// <summary>Append-only: the hub's own log of registry and CA changes.</summary>
internal sealed class HubAuditRow
{
    public long Sequence { get; set; }
    public DateTimeOffset Time { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string Subject { get; set; }
    public required string Details { get; set; }
    public string? StaffId { get; set; }
}

/// <summary>
/// The hash of one complete subtree of the provision log's Merkle tree of 256 leaves or more
/// (<c>TreeNode.Key</c>: level in the top byte, index below): about two rows per 256 entries.
/// </summary>
internal sealed class ProvisionTreeNodeRow
{
    public long Key { get; set; }
    public required byte[] Hash { get; set; }
}

/// <summary>A witness's C2SP cosignature of the checkpoint of one tree size: one per witness per size.</summary>
internal sealed class TreeCosignatureRow
{
    public long Size { get; set; }
    public required string Witness { get; set; }
    public DateTimeOffset Time { get; set; }
    public required string Line { get; set; }
}

/// <summary>A signed tree head (C2SP checkpoint) of the provision log: one per tree size.</summary>
internal sealed class TreeCheckpointRow
{
    public long Size { get; set; }
    public DateTimeOffset SignedAt { get; set; }
    public required byte[] RootHash { get; set; }
    public required string Note { get; set; }
}
