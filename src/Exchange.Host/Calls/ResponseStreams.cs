using Grpc.Core;

namespace Exchange.Host.Calls;

internal static class ResponseStreams
{
    /// <summary>
    /// Writes <paramref name="message"/>, or returns false when the caller cancelled the call or its
    /// deadline passed meanwhile: grpc-dotnet then refuses the write with an
    /// <see cref="InvalidOperationException"/>, which would otherwise end the handler as a service
    /// error, logged as such, for what is the caller's choice. At a deadline grpc-dotnet sets the
    /// status and completes the response before it cancels the call's token, so a write in between
    /// finds the token not yet cancelled.
    /// </summary>
    public static async Task<bool> TryWriteAsync<T>(this IServerStreamWriter<T> stream, T message, ServerCallContext context)
    {
        try
        {
            await stream.WriteAsync(message, context.CancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (InvalidOperationException) when (context.CancellationToken.IsCancellationRequested || context.Status.StatusCode == StatusCode.DeadlineExceeded)
        {
            return false;
        }
    }
}
