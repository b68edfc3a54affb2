namespace Exchange.Host;

/// <summary>Log events of the operator's oversight: exceptional provisions, incidents, retention; event IDs 2340-2359 are stable.</summary>
internal static partial class OversightLog
{
    [LoggerMessage(EventId = 2340, Level = LogLevel.Warning, Message = "{Actor} recorded exceptional provision {Id} to an authority ({LegalBasis}) of {Persons} person(s)")]
    public static partial void ExceptionalRecorded(ILogger logger, string actor, string id, string legalBasis, int persons);

    [LoggerMessage(EventId = 2341, Level = LogLevel.Warning, Message = "{Actor} read the scope of an incident for party {Party}: {Persons} person(s); report required: {ReportRequired}")]
    public static partial void IncidentScopeRead(ILogger logger, string actor, string party, long persons, bool reportRequired);

    [LoggerMessage(EventId = 2342, Level = LogLevel.Information, Message = "Retention run {Id} by {RunBy}{DryRun}: {Disposed}")]
    public static partial void RetentionRan(ILogger logger, string id, string runBy, string dryRun, string disposed);

    [LoggerMessage(EventId = 2343, Level = LogLevel.Error, Message = "The retention run failed; it is tried again at the next interval")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);
}
