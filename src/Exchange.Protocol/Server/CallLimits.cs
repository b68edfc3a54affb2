namespace Exchange.Protocol.Server;

/// <summary>The sizes of a <see cref="CallConcurrencyLimit"/>.</summary>
/// <param name="MaxConcurrentCalls">The most calls run at once over all parties, reserve included.</param>
/// <param name="MaxConcurrentCallsPerParty">The most calls one party runs at once (1 to <paramref name="MaxConcurrentCalls"/>).</param>
/// <param name="ReservedCalls">Calls of the total only parties named by <see cref="IReservedCallers"/> may run (0 to <paramref name="MaxConcurrentCalls"/> - 1).</param>
public sealed record CallLimits(int MaxConcurrentCalls, int MaxConcurrentCallsPerParty, int ReservedCalls)
{
    /// <summary>Throws when the sizes do not fit together.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxConcurrentCalls);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxConcurrentCallsPerParty);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxConcurrentCallsPerParty, MaxConcurrentCalls);
        ArgumentOutOfRangeException.ThrowIfNegative(ReservedCalls);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(ReservedCalls, MaxConcurrentCalls);
    }
}
