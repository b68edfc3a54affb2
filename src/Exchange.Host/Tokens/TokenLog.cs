namespace Exchange.Host.Tokens;

/// <summary>Log events of the token service and of tokens on calls; event IDs 2460-2479 are stable. No token text is ever logged.</summary>
internal static partial class TokenLog
{
    [LoggerMessage(EventId = 2460, Level = LogLevel.Information, Message = "Issued a {GrantType} access token to {Client} for {Subject}, bound to certificate {Serial}")]
    public static partial void Issued(ILogger logger, string grantType, string client, string subject, string serial);

    [LoggerMessage(EventId = 2461, Level = LogLevel.Information, Message = "Token request ({GrantType}) by {Client} refused ({Error}): {Reason}")]
    public static partial void RequestRefused(ILogger logger, string grantType, string client, string error, string reason);

    [LoggerMessage(EventId = 2462, Level = LogLevel.Information, Message = "Call {Method} by {Caller} refused ({Code}): bearer token {Reason}")]
    public static partial void BearerRefused(ILogger logger, string method, string caller, string code, string reason);

    [LoggerMessage(EventId = 2463, Level = LogLevel.Information, Message = "Authorization request by {Client} refused ({Error}): {Reason}")]
    public static partial void AuthorizationRefused(ILogger logger, string client, string error, string reason);
}
