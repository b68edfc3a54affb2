namespace Exchange.Domain.Provisions;

/// <summary>
/// What the hub's other records say about the provision log, for verification to hold the chain
/// against: entries they saw that the chain must still hold.
/// </summary>
/// <param name="HighestSequenceSeen">The highest entry any other record of the hub refers to, or 0.</param>
/// <param name="SeenBy">Which record refers to it.</param>
public sealed record LogCoverage(long HighestSequenceSeen, string? SeenBy);
