namespace Exchange.Host;

/// <summary>Log events of the change feed's background work; event IDs 2200-2249 are stable.</summary>
internal static partial class FeedLog
{
    [LoggerMessage(EventId = 2201, Level = LogLevel.Error, Message = "Reading the change feed's stored head failed; subscribers here may learn of other instances' events late")]
    public static partial void HeadCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Disposed of {Count} change-feed events stored before {Before:O} (retention {Days} days)")]
    public static partial void Pruned(ILogger logger, int count, DateTimeOffset before, int days);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Error, Message = "Pruning the change feed failed; it is tried again at the next interval")]
    public static partial void PruneFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Error, Message = "Checking certificates for expiry failed; it is tried again at the next interval")]
    public static partial void CertificateCheckFailed(ILogger logger, Exception exception);
}
