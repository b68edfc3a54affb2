namespace Exchange.Domain.Recalls;

/// <summary>
/// A garage's vehicle affected by a campaign, as stored: the step it reached and each step's
/// particulars. Dates are year * 10000 + month * 100 + day.
/// </summary>
/// <param name="Id">The stored row's key.</param>
/// <param name="RecallNumber">The campaign.</param>
/// <param name="OwnerParty">The garage that holds the vehicle's record.</param>
/// <param name="CustomerRef">The garage's customer reference.</param>
/// <param name="VehicleRef">The garage's vehicle reference.</param>
/// <param name="SubjectId">The person's pseudonymous ID.</param>
/// <param name="MatchedByVersion">The campaign version that first matched it.</param>
/// <param name="Step">The <see cref="Contracts.V1.RecallStep"/> reached.</param>
/// <param name="AffectedAt">When it was matched.</param>
/// <param name="NotifiedAt">When its notice was sent, or null.</param>
/// <param name="AcknowledgedAt">When the garage acknowledged the notice, or null.</param>
/// <param name="ContactedOn">The day the customer was contacted, or null.</param>
/// <param name="ContactMethod">How (<see cref="Contracts.V1.ContactMethod"/>), or null.</param>
/// <param name="RepairedOn">The day of the remedy, or null.</param>
/// <param name="RepairOrderRef">The repair order that reported it, or null.</param>
public sealed record AffectedVehicleState(
    long Id,
    string RecallNumber,
    string OwnerParty,
    string CustomerRef,
    string VehicleRef,
    string SubjectId,
    int MatchedByVersion,
    int Step,
    DateTimeOffset AffectedAt,
    DateTimeOffset? NotifiedAt,
    DateTimeOffset? AcknowledgedAt,
    int? ContactedOn,
    int? ContactMethod,
    int? RepairedOn,
    string? RepairOrderRef);
