namespace Exchange.Host;

/// <summary>Log events of persons' requests; event IDs 2280-2299 are stable.</summary>
internal static partial class SubjectsLog
{
    [LoggerMessage(EventId = 2280, Level = LogLevel.Information, Message = "{Actor} opened {Kind} request {RequestId}")]
    public static partial void Opened(ILogger logger, string actor, string kind, string requestId);

    [LoggerMessage(EventId = 2281, Level = LogLevel.Information, Message = "{Actor} executed request {RequestId}: sent to {Partners} partner(s)")]
    public static partial void Executed(ILogger logger, string actor, string requestId, int partners);

    [LoggerMessage(EventId = 2282, Level = LogLevel.Information, Message = "Reminded {Count} partner(s) of unacknowledged propagations")]
    public static partial void Reminded(ILogger logger, int count);

    [LoggerMessage(EventId = 2283, Level = LogLevel.Error, Message = "Reminding partners of unacknowledged propagations failed; it is tried again at the next interval")]
    public static partial void RemindFailed(ILogger logger, Exception exception);
}
