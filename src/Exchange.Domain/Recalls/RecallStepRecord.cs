namespace Exchange.Domain.Recalls;

/// <summary>One step of one affected vehicle, for its history.</summary>
/// <param name="VehicleId">The affected vehicle's stored key.</param>
/// <param name="Step">The <see cref="Contracts.V1.RecallStep"/> recorded.</param>
/// <param name="At">When.</param>
/// <param name="Actor">The party that recorded it, or <c>hub</c>.</param>
/// <param name="CallId">The call that recorded it, when there was one.</param>
/// <param name="Details">Its particulars (a date, a method, a repair order), never personal data.</param>
public sealed record RecallStepRecord(long VehicleId, int Step, DateTimeOffset At, string Actor, string? CallId, string? Details);
