using System.Diagnostics;

namespace Exchange.Domain.Telemetry;

/// <summary>The domain's trace source: one span per policy decision made (not remembered).</summary>
public static class DomainActivity
{
    /// <summary>The <see cref="ActivitySource"/> name to listen to.</summary>
    public const string SourceName = "Exchange.Domain";

    internal static ActivitySource Source { get; } = new(SourceName);
}
