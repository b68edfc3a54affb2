using Exchange.Contracts.V1;

namespace Exchange.Domain.Recalls;

/// <summary>What recall matching compares of one vehicle, normalised (<see cref="VehicleIdentifiers"/>).</summary>
/// <param name="VehicleRef">The garage's reference of the vehicle.</param>
/// <param name="Frame">The chassis number's frame part.</param>
/// <param name="Serial">The chassis number's serial.</param>
/// <param name="ModelCode">The model code (型式), normalised; empty when there is none.</param>
/// <param name="ModelBase">The model code's base (<see cref="VehicleIdentifiers.ModelBase"/>).</param>
/// <param name="FirstRegistered">The month of first registration as year * 100 + month, or null.</param>
public sealed record RecallVehicle(string VehicleRef, string Frame, long Serial, string ModelCode, string ModelBase, int? FirstRegistered)
{
    /// <summary>The vehicle as matching sees it; null when it has no chassis number the hub can match.</summary>
    public static RecallVehicle? Of(Vehicle vehicle)
    {
        ArgumentNullException.ThrowIfNull(vehicle);
        var certificate = vehicle.InspectionCertificate;
        return VehicleIdentifiers.TryParseChassisNumber(certificate?.ChassisNumber, out var frame, out var serial)
            ? new RecallVehicle(vehicle.VehicleRef, frame, serial, VehicleIdentifiers.Normalise(certificate?.ModelCode), VehicleIdentifiers.ModelBase(certificate?.ModelCode), MonthOf(certificate?.FirstRegistration))
            : null;
    }

    /// <summary>A date's month as year * 100 + month; null when it names no month.</summary>
    public static int? MonthOf(Date? date) =>
        date is { Year: >= 1 and <= 9999, Month: >= 1 and <= 12 } ? (date.Year * 100) + date.Month : null;
}
