namespace Exchange.Domain.Oversight;

/// <summary>How long the hub keeps each kind of record (Kaminoyama §5: erased once no longer needed).</summary>
/// <param name="CustomerRecords">A customer record is erased this long after its last change.</param>
/// <param name="WithdrawnGarageNotice">A withdrawn garage's records are erased this long after it withdrew.</param>
/// <param name="ProvisionLogEntries">A provision-log entry loses its subject ID this long after it was made (its hash stays, so the chain and the tree still verify).</param>
/// <param name="SubjectRequests">A person's completed or refused request (its verification, its correction's values) is deleted this long after it was opened.</param>
public sealed record RetentionSettings(TimeSpan CustomerRecords, TimeSpan WithdrawnGarageNotice, TimeSpan ProvisionLogEntries, TimeSpan SubjectRequests);
