namespace Exchange.Domain.Recalls;

/// <summary>A vehicle a campaign version matched, to store unless the campaign affects it already.</summary>
/// <param name="RecallNumber">The campaign.</param>
/// <param name="Version">The version that matched it.</param>
/// <param name="OwnerParty">The garage.</param>
/// <param name="CustomerRef">The garage's customer reference.</param>
/// <param name="VehicleRef">The garage's vehicle reference.</param>
/// <param name="SubjectId">The person's pseudonymous ID.</param>
public sealed record NewAffectedVehicle(string RecallNumber, int Version, string OwnerParty, string CustomerRef, string VehicleRef, string SubjectId);
