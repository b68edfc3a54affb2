using Exchange.Protocol.Identity;
using Grpc.Core;

namespace Exchange.Protocol.Server;

/// <summary>Access to the authenticated caller from any handler.</summary>
public static class CallerIdentityExtensions
{
    internal const string UserStateKey = "exchange.caller";

    /// <summary>The caller named by its client certificate.</summary>
    /// <exception cref="InvalidOperationException">The <see cref="CallerIdentityInterceptor"/> is not in the pipeline.</exception>
    public static CallerIdentity GetCaller(this ServerCallContext context) =>
        context.UserState.TryGetValue(UserStateKey, out var value) && value is CallerIdentity caller
            ? caller
            : throw new InvalidOperationException("No caller identity: CallerIdentityInterceptor must run first.");
}
