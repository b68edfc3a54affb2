using Grpc.Core;

namespace Exchange.Host.Calls;

internal static class ResponseStreams
{
    /// <summary>
    /// Writes <paramref name="message"/>, or returns false when the call ended meanwhile because the
    /// caller cancelled it or its deadline passed: grpc-dotnet then refuses the write with an
    /// <see cref="InvalidOperationException"/>, which would otherwise end the handler as a service
    /// error, logged as such, for what is the caller's choice.
    /// </summary>
    public static async Task<bool> TryWriteAsync<T>(this IServerStreamWriter<T> stream, T message, ServerCallContext context)
    {
        try
        {
            await stream.WriteAsync(message, context.CancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (InvalidOperationException) when (CallHasEnded(context))
        {
            return false;
        }
    }

    // grpc-dotnet refuses a write once the HTTP request is aborted (a reset from the caller, or its
    // own reset at the deadline), which can come before the call's token is cancelled; at a deadline
    // it sets the status first and completes the response body, which a write under way then meets.
    internal static bool CallHasEnded(ServerCallContext context) =>
        context.CancellationToken.IsCancellationRequested
        || context.GetHttpContext().RequestAborted.IsCancellationRequested
        || context.Status.StatusCode == StatusCode.DeadlineExceeded;

    /// <summary>
    /// True when <paramref name="exception"/>, met reading or writing a call's streams, only means the
    /// caller went away: a reset stream reads as an <see cref="IOException"/>, sometimes before the
    /// call's token is cancelled. Such a call is the caller's choice, not a service error to log.
    /// </summary>
    internal static bool CallerWentAway(Exception exception, ServerCallContext context) =>
        exception is IOException || (exception is not Domain.ExchangeException && CallHasEnded(context));
}
