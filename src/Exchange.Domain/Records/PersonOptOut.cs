namespace Exchange.Domain.Records;

/// <summary>A person's opt-out from one purpose, in force.</summary>
/// <param name="Purpose">The purpose opted out of.</param>
/// <param name="Since">When it was recorded.</param>
public sealed record PersonOptOut(string Purpose, DateTimeOffset Since);
