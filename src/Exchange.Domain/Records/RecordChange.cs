namespace Exchange.Domain.Records;

/// <summary>One change to a customer's record, as the partners that follow it should learn of it.</summary>
/// <param name="OwnerParty">The garage that holds the record.</param>
/// <param name="CustomerRef">The garage's customer reference.</param>
/// <param name="SubjectId">The person's pseudonymous ID.</param>
/// <param name="Kind">What changed.</param>
/// <param name="Agent">The vendor that made the change for the garage, or null when the garage made it.</param>
/// <param name="At">When it was made.</param>
/// <param name="CallId">The call that made it, as the provision log records it.</param>
/// <param name="Record">The record as written, for a creation or a correction; null for a deletion.</param>
/// <param name="RequestId">The person's request (Subjects) that made the change, or null.</param>
public sealed record RecordChange(string OwnerParty, string CustomerRef, string SubjectId, RecordChangeKind Kind, string? Agent, DateTimeOffset At, string CallId, Contracts.V1.CustomerRecord? Record = null, string? RequestId = null);
