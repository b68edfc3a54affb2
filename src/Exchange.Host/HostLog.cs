namespace Exchange.Host;

/// <summary>Log events of the host; event IDs 2000-2099 are stable.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Created a DEVELOPMENT PKI in {Directory}: never use it in production")]
    public static partial void DevelopmentPkiCreated(ILogger logger, string directory);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Exchange hub {Version} listening on {Address} (gRPC over mutual TLS, trust domain {TrustDomain})")]
    public static partial void Listening(ILogger logger, string version, string address, string trustDomain);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Try it with the development certificates:\n  grpcurl -cacert {Dir}/ca.crt -cert {Dir}/garage-kaminoyama.crt -key {Dir}/garage-kaminoyama.key {HostPort} exchange.v1.Diagnostics/Ping\n  grpcurl -cacert {Dir}/ca.crt -cert {Dir}/admin.crt -key {Dir}/admin.key {HostPort} list")]
    public static partial void HowToCall(ILogger logger, string dir, string hostPort);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Signed a provision-log checkpoint at entry {Sequence}")]
    public static partial void CheckpointSigned(ILogger logger, long sequence);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Signing a provision-log checkpoint failed")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2040, Level = LogLevel.Debug, Message = "Signed a provision-log tree checkpoint at size {Size}")]
    public static partial void TreeCheckpointSigned(ILogger logger, long size);

    [LoggerMessage(EventId = 2041, Level = LogLevel.Error, Message = "Signing a provision-log tree checkpoint failed; the next interval tries again")]
    public static partial void TreeCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Public declaration page on {Address}declaration (HTTPS, no client certificate)")]
    public static partial void PublicPage(ILogger logger, string address);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Exchange:Declaration:Manager or Inquiry is unset: on first start the declaration names a DEVELOPMENT placeholder as responsible manager (Development environment only)")]
    public static partial void DevelopmentDeclarationOperator(ILogger logger);
}
