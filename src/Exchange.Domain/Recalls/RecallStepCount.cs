namespace Exchange.Domain.Recalls;

/// <summary>How many of a garage's affected vehicles stand at one step.</summary>
/// <param name="OwnerParty">The garage.</param>
/// <param name="Step">The <see cref="Contracts.V1.RecallStep"/> reached.</param>
/// <param name="Count">The vehicles.</param>
public sealed record RecallStepCount(string OwnerParty, int Step, long Count);
