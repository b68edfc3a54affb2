namespace Exchange.Domain;

/// <summary>Why a domain operation did not happen; the host maps each kind to a gRPC status.</summary>
public enum FailureKind
{
    /// <summary>The request itself is malformed or names something unknown.</summary>
    InvalidArgument,

    /// <summary>A rule refused the caller.</summary>
    PermissionDenied,

    /// <summary>The thing asked for does not exist.</summary>
    NotFound,

    /// <summary>The hub is not in a state that allows this.</summary>
    FailedPrecondition,

    /// <summary>The thing to create exists already.</summary>
    AlreadyExists,

    /// <summary>The hub cannot do this for now; the same call may succeed when retried.</summary>
    Unavailable,

    /// <summary>A resource the call needs is used up (the hub's storage is full); it may succeed later.</summary>
    ResourceExhausted,

    /// <summary>Another call did the same work concurrently and won; this one's work was undone.</summary>
    Aborted,

    /// <summary>A position (a sequence, a cursor) beyond what the hub can go on from.</summary>
    OutOfRange,
}

/// <summary>A refusal or failure the caller can act upon; its message is safe to return.</summary>
public sealed class ExchangeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExchangeException(FailureKind kind, string message, string? rule = null)
        : base(message)
    {
        Kind = kind;
        Rule = rule;
    }

    /// <summary>The kind of failure.</summary>
    public FailureKind Kind { get; }

    /// <summary>The policy rule that refused, for refusals.</summary>
    public string? Rule { get; }
}
