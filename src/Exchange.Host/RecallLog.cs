namespace Exchange.Host;

/// <summary>Log events of recall campaigns; event IDs 2250-2269 are stable.</summary>
internal static partial class RecallLog
{
    [LoggerMessage(EventId = 2250, Level = LogLevel.Information, Message = "{Actor} published version {Version} of recall campaign {RecallNumber}: {NewlyAffected} vehicle(s) newly affected")]
    public static partial void Published(ILogger logger, string actor, string recallNumber, int version, long newlyAffected);

    [LoggerMessage(EventId = 2251, Level = LogLevel.Information, Message = "Stored the recall notices of {Count} vehicle(s) whose campaigns' start date has come")]
    public static partial void NoticesQueued(ILogger logger, int count);

    [LoggerMessage(EventId = 2252, Level = LogLevel.Error, Message = "Storing the recall notices of started campaigns failed; it is tried again at the next interval")]
    public static partial void QueueFailed(ILogger logger, Exception exception);
}
