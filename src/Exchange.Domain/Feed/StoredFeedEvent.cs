namespace Exchange.Domain.Feed;

/// <summary>A stored event: its sequence, and the encoded event.</summary>
/// <param name="Sequence">Its position, in commit order over all partners' events.</param>
/// <param name="Body">The encoded <see cref="Contracts.V1.FeedEvent"/> without its sequence.</param>
#pragma warning disable CA1819 // The encoded event, as stored.
public sealed record StoredFeedEvent(long Sequence, byte[] Body);
#pragma warning restore CA1819
