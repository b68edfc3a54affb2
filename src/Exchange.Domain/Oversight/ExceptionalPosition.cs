namespace Exchange.Domain.Oversight;

/// <summary>Where a page of exceptional provisions ended: the last one's recording time and ID.</summary>
/// <param name="RecordedAt">When it was recorded.</param>
/// <param name="Id">Its ID.</param>
public sealed record ExceptionalPosition(DateTimeOffset RecordedAt, string Id);
