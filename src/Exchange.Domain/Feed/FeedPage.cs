using Exchange.Contracts.V1;

namespace Exchange.Domain.Feed;

/// <summary>Events ready to send, and the sequence to read after next.</summary>
/// <param name="Events">The events, in order (possibly fewer than were read: a record deleted since is not sent as corrected).</param>
/// <param name="Through">The last sequence read.</param>
public sealed record FeedPage(IReadOnlyList<FeedEvent> Events, long Through);
