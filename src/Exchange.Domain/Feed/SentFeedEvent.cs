namespace Exchange.Domain.Feed;

/// <summary>An event stored for one partner.</summary>
/// <param name="Sequence">Its feed sequence.</param>
/// <param name="Recipient">The partner.</param>
/// <param name="StoredAt">When it was stored.</param>
public sealed record SentFeedEvent(long Sequence, string Recipient, DateTimeOffset StoredAt);
