using Grpc.Core;

namespace Exchange.Cli;

/// <summary>The tool's exit codes: stable, so scripts can tell failures apart.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>A local problem: a file that cannot be read or written, or an unexpected failure.</summary>
    public const int Failure = 1;

    /// <summary>The command line or a value in it is wrong (locally, or the hub said INVALID_ARGUMENT).</summary>
    public const int Usage = 2;

    /// <summary>The hub could not be reached, or closed the connection (for example at the TLS handshake).</summary>
    public const int Unavailable = 3;

    /// <summary>The hub refused the caller: UNAUTHENTICATED (certificate revoked or expired) or PERMISSION_DENIED.</summary>
    public const int Refused = 4;

    /// <summary>What the command names does not exist.</summary>
    public const int NotFound = 5;

    /// <summary>It exists already, or its state does not allow this (ALREADY_EXISTS, FAILED_PRECONDITION).</summary>
    public const int Conflict = 6;

    /// <summary>A verification found the provision log not intact.</summary>
    public const int NotIntact = 7;

    /// <summary>A change-feed cursor older than the events the hub still retains (OUT_OF_RANGE to a subscription).</summary>
    public const int CursorExpired = 8;

    /// <summary>The text `exchange --help` shows.</summary>
    public const string Help = "Exit codes: 0 done; 1 local failure; 2 bad usage or invalid argument; 3 hub unreachable or connection refused; 4 caller refused (revoked, expired, not allowed); 5 not found; 6 already exists or not allowed in its current state; 7 the provision log is not intact; 8 the watch cursor is older than the events the hub retains.";

    /// <summary>
    /// The status a failed call stands for. A hub that refuses a certificate closes the connection
    /// right after the TLS handshake; depending on when the client notices, grpc-dotnet reports that
    /// as UNAVAILABLE or, once HTTP/2 had begun, as INTERNAL carrying the HttpRequestException.
    /// Both are the same event to the user.
    /// </summary>
    public static StatusCode StatusOf(RpcException e) =>
        e.StatusCode == StatusCode.Internal && e.Status.DebugException is HttpRequestException ? StatusCode.Unavailable : e.StatusCode;

    /// <summary>A connection that broke, went silent or was closed by a stopping hub, as opposed to the hub's answer.</summary>
    public static bool Dropped(RpcException e) =>
        StatusOf(e) is StatusCode.Unavailable or StatusCode.Cancelled
        || (e.StatusCode == StatusCode.Internal && e.Status.DebugException is IOException or HttpRequestException);

    /// <summary>The exit code for a status the hub returned.</summary>
    public static int For(StatusCode status) => status switch
    {
        StatusCode.InvalidArgument or StatusCode.OutOfRange => Usage,
        StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled => Unavailable,
        StatusCode.Unauthenticated or StatusCode.PermissionDenied => Refused,
        StatusCode.NotFound => NotFound,
        StatusCode.AlreadyExists or StatusCode.FailedPrecondition => Conflict,
        _ => Failure,
    };
}

/// <summary>A failure the tool explains itself; its message is shown as it is.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
