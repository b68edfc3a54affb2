namespace Exchange.Domain.Records;

/// <summary>
/// One step of a search's answer: a record, and on the last step of a page after which more matches
/// may follow, the token that reads the next page. A page whose matches were all left out ends with
/// a step that carries only the token.
/// </summary>
/// <param name="Provided">The record as provided, or null on a step that only carries the token.</param>
/// <param name="NextPageToken">The token for the next page, or null.</param>
public sealed record SearchResult(ProvidedRecord? Provided, string? NextPageToken);
