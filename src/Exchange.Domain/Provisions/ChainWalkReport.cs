namespace Exchange.Domain.Provisions;

/// <summary>One report of a full walk: progress, or at the end its result.</summary>
/// <param name="Progress">How far it has come, or null.</param>
/// <param name="Result">The result, in the last report only.</param>
public sealed record ChainWalkReport(ChainWalkProgress? Progress, ChainVerification? Result);
