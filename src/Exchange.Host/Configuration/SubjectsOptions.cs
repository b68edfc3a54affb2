namespace Exchange.Host.Configuration;

/// <summary>The <c>Exchange:Subjects</c> settings (checked by <see cref="HubOptionsValidator"/>).</summary>
internal sealed class SubjectsOptions
{
    /// <summary>
    /// How long a partner may leave a correction, deletion or cessation unacknowledged before it is
    /// reminded, and then between reminders, 1 minute to 365 days.
    /// </summary>
    public TimeSpan ReminderAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How often each instance looks for propagations due for a reminder, 1 second to 1 day.</summary>
    public TimeSpan ReminderCheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Whether a person's provision report names the acting staff member (pseudonymous staff ID) beside the party; off by default.</summary>
    public bool ShowActingStaff { get; set; }
}
