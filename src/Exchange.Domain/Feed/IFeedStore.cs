namespace Exchange.Domain.Feed;

/// <summary>The stored change feed: events in commit order, and what pruning disposed of.</summary>
public interface IFeedStore
{
    /// <summary>
    /// Stores <paramref name="entries"/> in the current unit of work, numbered in commit order; an
    /// entry whose <see cref="FeedEntry.DedupKey"/> is stored already is left out. Subscribers of
    /// this instance are woken once the unit of work commits.
    /// </summary>
    Task AppendAsync(IReadOnlyList<FeedEntry> entries, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="count"/> events for <paramref name="recipient"/> (its own and broadcast ones) after <paramref name="after"/>, in order.</summary>
    Task<IReadOnlyList<StoredFeedEvent>> ReadAsync(string recipient, long after, int count, CancellationToken cancellationToken);

    /// <summary>The highest sequence of <paramref name="recipient"/>'s events (its own and broadcast ones) pruning disposed of; 0 when none.</summary>
    Task<long> PrunedThroughAsync(string recipient, CancellationToken cancellationToken);

    /// <summary>The highest sequence ever stored (pruned or not); 0 when none.</summary>
    Task<long> HeadAsync(CancellationToken cancellationToken);

    /// <summary>Disposes of the events stored before <paramref name="storedBefore"/>, remembering for each recipient the last one disposed of; returns how many.</summary>
    Task<int> PruneAsync(DateTimeOffset storedBefore, CancellationToken cancellationToken);

    /// <summary>
    /// The provision log's PROVIDED entries for <paramref name="subjectIds"/> whose recipient is not
    /// the provider, in one lookup (a batch's persons at once).
    /// </summary>
    Task<IReadOnlyList<EarlierProvision>> EarlierProvisionsAsync(IReadOnlyCollection<string> subjectIds, CancellationToken cancellationToken);

    /// <summary>The events stored for the person's request <paramref name="requestId"/> (in the current unit of work too), in order.</summary>
    Task<IReadOnlyList<SentFeedEvent>> SentForRequestAsync(string requestId, CancellationToken cancellationToken);
}
