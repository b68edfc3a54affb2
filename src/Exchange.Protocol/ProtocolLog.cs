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

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Refusing calls with RESOURCE_EXHAUSTED: the hub is running its limit of {Limit} calls at once (logged at most every 10 s while it lasts)")]
    public static partial void CallsRefusedAtLimit(ILogger logger, int limit);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Refusing calls with RESOURCE_EXHAUSTED: party {PartyId} is running its limit of {Limit} calls at once (logged at most every 10 s while parties exceed it)")]
    public static partial void CallsRefusedAtPartyLimit(ILogger logger, string partyId, int limit);
}
