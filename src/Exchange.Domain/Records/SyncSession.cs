namespace Exchange.Domain.Records;

/// <summary>One vendor's (or garage's) sync: who opened it, for what, and how far it is durable.</summary>
/// <param name="Id">The hub-issued ID.</param>
/// <param name="Party">The party that opened it; only it may resume it.</param>
/// <param name="Purpose">The purpose of every change in it.</param>
/// <param name="Acknowledged">The highest sequence durable (0: none).</param>
/// <param name="CreatedAt">When it was opened.</param>
/// <param name="UpdatedAt">When its acknowledged sequence last moved.</param>
public sealed record SyncSession(string Id, string Party, string Purpose, long Acknowledged, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
