using Exchange.Protocol.Identity;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Exchange.Protocol.Server;

/// <summary>
/// The checks of a caller that can change while its connection or call stays open: its
/// certificate's expiry, and the status source (revocation, suspension). The identity interceptor
/// runs them as a call starts; a long-lived stream runs them again before each piece of work it
/// does for the caller, so that a revocation or a suspension ends the stream as it ends new calls.
/// </summary>
public sealed class CallerStandingGuard
{
    private readonly ICertificateStatusSource _status;
    private readonly TimeProvider _time;
    private readonly ILogger<CallerStandingGuard> _logger;

    /// <summary>Creates the guard.</summary>
    public CallerStandingGuard(ICertificateStatusSource status, TimeProvider time, ILogger<CallerStandingGuard> logger)
    {
        _status = status;
        _time = time;
        _logger = logger;
    }

    /// <summary>Throws the refusal the call would get if it started now, if any.</summary>
    public ValueTask RequireAsync(ServerCallContext context) => RequireAsync(context, context.GetCaller());

    internal async ValueTask RequireAsync(ServerCallContext context, CallerIdentity caller)
    {
        if (_time.GetUtcNow().UtcDateTime > caller.Certificate.NotAfter.ToUniversalTime())
        {
            throw Refuse(_logger, context, caller.Id.ToString(), "client certificate has expired");
        }

        var refusal = await _status.GetRefusalAsync(caller.Certificate, caller.Id, context.CancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            throw Refuse(_logger, context, caller.Id.ToString(), refusal.Reason, refusal.Code, refusal.Rule);
        }
    }

    internal static RpcException Refuse(ILogger logger, ServerCallContext context, string caller, string reason, StatusCode code = StatusCode.Unauthenticated, string? rule = null)
    {
        ProtocolLog.CallRefused(logger, context.Method, caller, reason);
        var trailers = new Metadata();
        if (rule is not null)
        {
            trailers.Add("exchange-rule", rule);
        }

        return new RpcException(new Status(code, $"caller refused: {reason}"), trailers);
    }
}
