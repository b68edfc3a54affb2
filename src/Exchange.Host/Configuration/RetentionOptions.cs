namespace Exchange.Host.Configuration;

/// <summary>The <c>Exchange:Retention</c> settings (checked by <see cref="HubOptionsValidator"/>).</summary>
internal sealed class RetentionOptions
{
    /// <summary>A customer record is erased this long after its last change (1 day to 20 years; default 5 years).</summary>
    public TimeSpan CustomerRecords { get; set; } = TimeSpan.FromDays(1826);

    /// <summary>A withdrawn garage's records are erased this long after it withdrew (0 to 1 year; default 90 days).</summary>
    public TimeSpan WithdrawnGarageNotice { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// A provision-log entry loses its subject ID this long after it was made (3 to 20 years; default
    /// 3 years, the longest period APPI's rules on provision records ask for).
    /// </summary>
    public TimeSpan ProvisionLogEntries { get; set; } = TimeSpan.FromDays(1096);

    /// <summary>A person's completed or refused request is deleted this long after it was opened (1 day to 20 years; default 3 years).</summary>
    public TimeSpan SubjectRequests { get; set; } = TimeSpan.FromDays(1096);

    /// <summary>How often each instance runs the disposal (1 minute to 7 days; default 1 day).</summary>
    public TimeSpan RunInterval { get; set; } = TimeSpan.FromDays(1);
}
