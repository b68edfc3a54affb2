namespace Exchange.Domain.Feed;

/// <summary>
/// One event to store for one partner (or every partner), before anyone is sent it. The references
/// say what the event is about, as the provision log names it; <paramref name="Body"/> is the
/// encoded <see cref="Contracts.V1.FeedEvent"/> without its sequence.
/// </summary>
/// <param name="Recipient">The partner's party ID, or <see cref="Broadcast"/> for every partner.</param>
/// <param name="Kind">What happened.</param>
/// <param name="OccurredAt">When the reported change happened.</param>
/// <param name="OwnerParty">The garage that holds the record, for a record's event.</param>
/// <param name="CustomerRef">The garage's customer reference, for a record's event.</param>
/// <param name="SubjectId">The person's pseudonymous ID, for a record's event.</param>
/// <param name="Purpose">The purpose the recipient received the record for, for a correction.</param>
/// <param name="Items">The items the recipient received, for a correction.</param>
/// <param name="Body">The encoded event.</param>
/// <param name="DedupKey">Set for an event several hub instances may store: only the first is kept.</param>
/// <param name="RequestId">The person's request (Subjects) the event propagates, or null.</param>
public sealed record FeedEntry(
    string Recipient,
    FeedEventKind Kind,
    DateTimeOffset OccurredAt,
    string? OwnerParty,
    string? CustomerRef,
    string? SubjectId,
    string? Purpose,
    IReadOnlyList<string> Items,
#pragma warning disable CA1819 // The encoded event, stored as it is.
    byte[] Body,
#pragma warning restore CA1819
    string? DedupKey = null,
    string? RequestId = null)
{
    /// <summary>The recipient of an event meant for every partner.</summary>
    public const string Broadcast = "*";
}
