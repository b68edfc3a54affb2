namespace Exchange.Domain.Feed;

/// <summary>A record the provision log says was provided to a partner other than its owner.</summary>
/// <param name="Sequence">The entry's sequence.</param>
/// <param name="SubjectId">The person.</param>
/// <param name="Provider">Who provided it (the owning garage).</param>
/// <param name="Recipient">Who received it.</param>
/// <param name="Purpose">For which purpose.</param>
/// <param name="Items">Which items.</param>
public sealed record EarlierProvision(long Sequence, string SubjectId, string Provider, string Recipient, string Purpose, IReadOnlyList<string> Items);
