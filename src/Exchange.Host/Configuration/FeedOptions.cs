namespace Exchange.Host.Configuration;

/// <summary>The <c>Exchange:Feed</c> settings (checked by <see cref="HubOptionsValidator"/>).</summary>
internal sealed class FeedOptions
{
    /// <summary>How long stored events are kept for subscribers to resume from, 1 to 3650 days.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>
    /// How often each instance reads the stored head, to wake its subscribers for events another
    /// instance stored (its own wake them at once), 10 milliseconds to 1 minute.
    /// </summary>
    public TimeSpan HeadCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often old events are pruned and certificates checked for expiry, 1 minute to 1 day.</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromHours(1);
}
