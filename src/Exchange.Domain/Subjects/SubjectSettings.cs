namespace Exchange.Domain.Subjects;

/// <summary>Settings of persons' requests.</summary>
public sealed class SubjectSettings
{
    /// <summary>How long a propagation may stay unacknowledged before its partner is reminded, and then between reminders.</summary>
    public TimeSpan ReminderAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>
    /// Whether a person's provision report names the staff member who acted (by pseudonymous staff
    /// ID) beside the party; by default it names the party alone.
    /// </summary>
    public bool ShowActingStaff { get; set; }
}
