namespace Exchange.Domain.Provisions;

/// <summary>How far a full walk of the chain has come.</summary>
/// <param name="EntriesChecked">Entries checked so far, earlier parts of a resumed walk included.</param>
/// <param name="ThroughSequence">The last entry checked.</param>
/// <param name="HeadSequence">The last entry the walk will check.</param>
/// <param name="EntriesPerSecond">Entries checked per second in this call.</param>
/// <param name="ResumeToken">Goes on from <paramref name="ThroughSequence"/> in a later call.</param>
public sealed record ChainWalkProgress(long EntriesChecked, long ThroughSequence, long HeadSequence, double EntriesPerSecond, string ResumeToken);
