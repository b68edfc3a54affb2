namespace Exchange.Host;

/// <summary>Log events of the partner registry and the certificate authority; event IDs 2100-2199 are stable.</summary>
internal static partial class PkiLog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Issuing CA {Subject} (valid to {NotAfter:O}) from {Source}")]
    public static partial void IssuingCaLoaded(ILogger logger, string subject, DateTimeOffset notAfter, string source);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "No issuing CA is configured (Exchange:Pki:IssuingCaCertificate): the hub will neither issue certificates nor publish a CRL; revocations are still enforced")]
    public static partial void NoIssuingCa(ILogger logger);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "The issuing CA {Subject} expires at {NotAfter:O}: certificates issued from now on end then, before their configured lifetime")]
    public static partial void IssuingCaExpiresSoon(ILogger logger, string subject, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Information, Message = "{Actor} approved {RequestId}: certificate {Serial} issued to {Party}, valid to {NotAfter:O}")]
    public static partial void CertificateIssued(ILogger logger, string actor, string requestId, string serial, string party, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Information, Message = "{Party} renewed certificate {PreviousSerial}: new certificate {Serial}, valid to {NotAfter:O}")]
    public static partial void CertificateRenewed(ILogger logger, string party, string previousSerial, string serial, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Warning, Message = "{Actor} revoked certificate {Serial} of {Party} ({Reason}): refused from the next call and handshake")]
    public static partial void CertificateRevoked(ILogger logger, string actor, string serial, string party, string reason);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Information, Message = "{Actor} filed signing request {RequestId} for {Party} ({Key}, public key sha256:{PublicKeySha256})")]
    public static partial void SigningRequestFiled(ILogger logger, string actor, string requestId, string party, string key, string publicKeySha256);

    [LoggerMessage(EventId = 2114, Level = LogLevel.Information, Message = "{Actor} rejected signing request {RequestId} for {Party}")]
    public static partial void SigningRequestRejected(ILogger logger, string actor, string requestId, string party);

    [LoggerMessage(EventId = 2120, Level = LogLevel.Information, Message = "{Actor} registered party {Party} ({Role})")]
    public static partial void PartyAdded(ILogger logger, string actor, string party, string role);

    [LoggerMessage(EventId = 2121, Level = LogLevel.Warning, Message = "{Actor} set party {Party} to {State}: effective from its next call")]
    public static partial void PartyStateChanged(ILogger logger, string actor, string party, string state);

    [LoggerMessage(EventId = 2122, Level = LogLevel.Information, Message = "{Actor} recorded authorisation {Id}: {Garage} authorises {Vendor} to {Operations}")]
    public static partial void AuthorisationGranted(ILogger logger, string actor, long id, string garage, string vendor, string operations);

    [LoggerMessage(EventId = 2123, Level = LogLevel.Information, Message = "{Actor} revoked authorisation {Id} ({Garage} to {Vendor})")]
    public static partial void AuthorisationRevoked(ILogger logger, string actor, long id, string garage, string vendor);

    [LoggerMessage(EventId = 2130, Level = LogLevel.Error, Message = "Checking certificate {Serial} against the registry (issuance, revocation) at the TLS handshake failed; the connection is refused")]
    public static partial void HandshakeCheckFailed(ILogger logger, Exception exception, string serial);

    [LoggerMessage(EventId = 2131, Level = LogLevel.Information, Message = "Recorded {Count} development certificate(s) in the certificate registry")]
    public static partial void DevelopmentCertificatesRecorded(ILogger logger, int count);

    [LoggerMessage(EventId = 2132, Level = LogLevel.Information, Message = "Recorded the certificate of bootstrap administrator {Party} from {Path} in the certificate registry")]
    public static partial void BootstrapCertificateRecorded(ILogger logger, string party, string path);
}
