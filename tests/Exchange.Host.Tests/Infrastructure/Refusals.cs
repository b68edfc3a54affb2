using Grpc.Core;

namespace Exchange.Host.Tests.Infrastructure;

/// <summary>Assertions on how the hub refuses a caller.</summary>
public static class Refusals
{
    /// <summary>
    /// Under TLS 1.3 the hub judges the client certificate after the client finished its handshake,
    /// so a refusal at the handshake reaches HttpClient as a broken connection or HTTP/2 stream.
    /// </summary>
    public static void AssertConnectionRefused(RpcException error) =>
        Assert.True(error.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"expected a refused connection, got {error.Status}");

    /// <summary>The hub logged a handshake refusal (event 1001) whose message contains <paramref name="text"/>.</summary>
    public static void AssertRefusedAtHandshake(TestHub hub, string text) =>
        Assert.True(
            hub.Logs.Entries.Any(e => e.Event.Id == 1001 && e.Message.Contains(text, StringComparison.Ordinal)),
            $"no handshake refusal (event 1001) mentioning '{text}' was logged:\n" + string.Join('\n', hub.Logs.Entries.Select(e => $"{e.Category}[{e.Event.Id}]: {e.Message}")));

    /// <summary>Runs <paramref name="call"/> and returns the status it failed with.</summary>
    public static async Task<RpcException> FailsAsync(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);
}
