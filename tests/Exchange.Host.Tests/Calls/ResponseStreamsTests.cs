using Exchange.Host.Calls;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Exchange.Host.Tests.Calls;

// The races these cover (a reset arriving between grpc-dotnet's abort check and the call's token
// being cancelled) happen about once in sixty runs over a real connection, so the states are set
// up directly here; TransportTests exercises the same path over mTLS.
public sealed class ResponseStreamsTests
{
    [Fact]
    public async Task Write_refused_after_the_request_was_aborted_ends_the_stream_quietly()
    {
        using var aborted = new CancellationTokenSource();
        var context = new CallState(aborted.Token);
        await aborted.CancelAsync();

        Assert.False(await new RefusingWriter().TryWriteAsync("reply", context));
    }

    [Fact]
    public async Task Write_refused_after_the_call_was_cancelled_ends_the_stream_quietly()
    {
        using var cancelled = new CancellationTokenSource();
        var context = new CallState(CancellationToken.None, cancelled.Token);
        await cancelled.CancelAsync();

        Assert.False(await new RefusingWriter().TryWriteAsync("reply", context));
    }

    [Fact]
    public async Task Write_refused_after_the_deadline_set_the_status_ends_the_stream_quietly()
    {
        var context = new CallState(CancellationToken.None) { Status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded") };

        Assert.False(await new RefusingWriter().TryWriteAsync("reply", context));
    }

    [Fact]
    public async Task Write_refused_while_the_call_is_live_is_a_service_error()
    {
        var context = new CallState(CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => new RefusingWriter().TryWriteAsync("reply", context));
    }

    [Fact]
    public async Task Write_accepted_reports_success()
    {
        var writer = new RecordingWriter();

        Assert.True(await writer.TryWriteAsync("reply", new CallState(CancellationToken.None)));
        Assert.Equal(["reply"], writer.Written);
    }

    private sealed class RefusingWriter : IServerStreamWriter<string>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(string message) => throw new InvalidOperationException("Can't write the message because the request is complete.");

        // The interface's default refuses a token that can be cancelled, as grpc-dotnet's writer does not.
        public Task WriteAsync(string message, CancellationToken cancellationToken) => WriteAsync(message);
    }

    private sealed class RecordingWriter : IServerStreamWriter<string>
    {
        public List<string> Written { get; } = [];

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(string message)
        {
            Written.Add(message);
            return Task.CompletedTask;
        }
    }

    // grpc-dotnet's GetHttpContext() also finds the HTTP context in the user state, as its own
    // test helpers place it.
    private sealed class CallState : ServerCallContext
    {
        private readonly Dictionary<object, object> _userState;
        private readonly CancellationToken _callToken;

        public CallState(CancellationToken requestAborted, CancellationToken callToken = default)
        {
            _userState = new() { ["__HttpContext"] = new DefaultHttpContext { RequestAborted = requestAborted } };
            _callToken = callToken;
        }

        protected override string MethodCore => "/exchange.v1.Diagnostics/PingStream";
        protected override string HostCore => "localhost";
        protected override string PeerCore => "ipv4:127.0.0.1:1";
        protected override DateTime DeadlineCore => DateTime.MaxValue;
        protected override Metadata RequestHeadersCore { get; } = [];
        protected override CancellationToken CancellationTokenCore => _callToken;
        protected override Metadata ResponseTrailersCore { get; } = [];
        protected override Status StatusCore { get; set; }
        protected override WriteOptions? WriteOptionsCore { get; set; }
        protected override AuthContext AuthContextCore { get; } = new(null, []);
        protected override IDictionary<object, object> UserStateCore => _userState;

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
