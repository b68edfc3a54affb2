using Exchange.Contracts.V1;

namespace Exchange.Domain.Subjects;

/// <summary>Which requests a listing returns.</summary>
/// <param name="ReadableBy">Only requests this party opened or whose records it owns; null: every request.</param>
/// <param name="Status">Only requests in this status, or null.</param>
/// <param name="OwnerParty">Only requests about this garage's records, or null.</param>
/// <param name="Limit">At most this many.</param>
/// <param name="Before">Only requests stored before this position (a page token's), or null.</param>
public sealed record SubjectRequestQuery(string? ReadableBy, SubjectRequestStatus? Status, string? OwnerParty, int Limit, long? Before);
