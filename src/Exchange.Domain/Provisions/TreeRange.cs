namespace Exchange.Domain.Provisions;

/// <summary>The leaves from <see cref="Start"/> (inclusive) to <see cref="End"/> (exclusive), by index from 0.</summary>
/// <param name="Start">The first leaf.</param>
/// <param name="End">One past the last leaf.</param>
public readonly record struct TreeRange(long Start, long End)
{
    /// <summary>The number of leaves.</summary>
    public long Size => End - Start;
}
