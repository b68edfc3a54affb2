namespace Exchange.Domain.Oversight;

/// <summary>One provision-log entry by which a party received a person's data.</summary>
/// <param name="Sequence">The entry.</param>
/// <param name="Time">When.</param>
/// <param name="SubjectId">The person.</param>
/// <param name="Items">The items received.</param>
public sealed record ReceivedData(long Sequence, DateTimeOffset Time, string SubjectId, IReadOnlyList<string> Items);
