using Microsoft.Extensions.Logging;

namespace Exchange.Protocol;

/// <summary>Log events of the protocol layer; event IDs 1000-1099 are stable.</summary>
internal static partial class ProtocolLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Client certificate {Subject} (serial {Serial}) refused at handshake: {Reason}")]
    public static partial void CertificateRefusedAtHandshake(ILogger logger, string subject, string serial, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Call {Method} refused for {Caller}: {Reason}")]
    public static partial void CallRefused(ILogger logger, string method, string caller, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Call {Method} from {Caller} failed")]
    public static partial void CallFailed(ILogger logger, Exception exception, string method, string caller);
}
