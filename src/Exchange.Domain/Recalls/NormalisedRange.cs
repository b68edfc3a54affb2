namespace Exchange.Domain.Recalls;

/// <summary>One chassis range, normalised: frame, serials from and to, both included.</summary>
/// <param name="Frame">The frame part (<see cref="VehicleIdentifiers.NormaliseFrame"/>).</param>
/// <param name="SerialFrom">The first serial covered.</param>
/// <param name="SerialTo">The last serial covered.</param>
public sealed record NormalisedRange(string Frame, long SerialFrom, long SerialTo);
