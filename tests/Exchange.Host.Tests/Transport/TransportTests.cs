using System.Diagnostics;
using System.Net;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Protocol.Client;
using Exchange.Protocol.Pki;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Exchange.Host.Tests.Transport;

/// <summary>The gRPC-over-HTTP/2 behaviour every partner relies on, checked over real mutual TLS.</summary>
public sealed class TransportTests : IAsyncLifetime
{
    private readonly RequestObserver _observer = new();
    private TestHub _hub = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _hub = await TestHub.StartAsync(configure: b => b.Services.AddSingleton<IStartupFilter>(_observer));

    public ValueTask DisposeAsync() => _hub.DisposeAsync();

    [Fact]
    public async Task Client_deadline_ends_a_slow_stream_with_deadline_exceeded()
    {
        using var channel = _hub.Channel("garage-kaminoyama");
        var client = new Diagnostics.DiagnosticsClient(channel);
        var started = Stopwatch.StartNew();

        using var call = client.PingStream(new PingStreamRequest { Count = 100, IntervalMs = 100 }, deadline: DateTime.UtcNow.AddMilliseconds(300), cancellationToken: Ct);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync(Ct))
            {
            }
        });

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Server_enforces_grpc_timeout_and_cancels_the_handler()
    {
        using var raw = new RawGrpc(_hub, "garage-kaminoyama");
        var request = RawGrpc.Frame(new PingStreamRequest { Count = 100, IntervalMs = 100 });

        var (response, body) = await raw.PostAsync("/exchange.v1.Diagnostics/PingStream", request, headers: new Dictionary<string, string> { ["grpc-timeout"] = "300m" }, cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("4", RawGrpc.Status(response));
        Assert.InRange(RawGrpc.Unframe(body).Count, 1, 5);
        // Without the deadline the handler would stream for ten seconds.
        Assert.True(await _observer.WaitForCompletionAsync("/exchange.v1.Diagnostics/PingStream", TimeSpan.FromSeconds(5)) < TimeSpan.FromSeconds(3), "the handler went on after its deadline");
    }

    [Fact]
    public async Task Cancelling_mid_stream_cancels_the_handler()
    {
        using var channel = _hub.Channel("garage-kaminoyama");
        var client = new Diagnostics.DiagnosticsClient(channel);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        using var call = client.PingStream(new PingStreamRequest { Count = 1000, IntervalMs = 20 }, cancellationToken: cancel.Token);
        var received = 0;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync(cancel.Token))
            {
                if (++received == 3)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.True(await _observer.WaitForAbortAsync("/exchange.v1.Diagnostics/PingStream", TimeSpan.FromSeconds(5)), "the server never saw the cancellation");
    }

    [Fact]
    public async Task Message_over_four_mebibytes_is_refused_with_resource_exhausted()
    {
        using var channel = _hub.Channel("garage-kaminoyama", o => o.MaxSendMessageSize = null);
        var client = new Diagnostics.DiagnosticsClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.PingAsync(new PingRequest { Payload = ByteString.CopyFrom(new byte[(4 * 1024 * 1024) + 1]) }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        var fits = await client.PingAsync(new PingRequest { Payload = ByteString.CopyFrom(new byte[(4 * 1024 * 1024) - 1024]) }, cancellationToken: Ct);
        Assert.Equal((4 * 1024 * 1024) - 1024, fits.Payload.Length);
    }

    [Theory]
    [InlineData("/exchange.v1.Diagnostics/NoSuchMethod")]
    [InlineData("/exchange.v1.NoSuchService/Ping")]
    public async Task Unknown_service_or_method_is_unimplemented(string path)
    {
        using var channel = _hub.Channel("garage-kaminoyama");
        var method = new Method<PingRequest, PingReply>(MethodType.Unary, path.Split('/')[1], path.Split('/')[2], Marshallers.Create(m => m.ToByteArray(), PingRequest.Parser.ParseFrom), Marshallers.Create(m => m.ToByteArray(), PingReply.Parser.ParseFrom));

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(cancellationToken: Ct), new PingRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task Wrong_content_type_is_refused_with_http_415()
    {
        using var raw = new RawGrpc(_hub, "garage-kaminoyama");

        var (response, _) = await raw.PostAsync("/exchange.v1.Diagnostics/Ping", RawGrpc.Frame(new PingRequest()), contentType: "application/json", cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Unary_response_is_one_frame_with_status_in_trailers()
    {
        using var raw = new RawGrpc(_hub, "garage-kaminoyama");

        var (response, body) = await raw.PostAsync("/exchange.v1.Diagnostics/Ping", RawGrpc.Frame(new PingRequest { Payload = ByteString.CopyFromUtf8("x") }), cancellationToken: Ct);

        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.False(response.Headers.Contains("grpc-status"));
        Assert.Equal("0", RawGrpc.Status(response));
        var frame = Assert.Single(RawGrpc.Unframe(body));
        Assert.Equal("x", PingReply.Parser.ParseFrom(frame.Payload).Payload.ToStringUtf8());
    }

    [Fact]
    public async Task Error_without_messages_is_trailers_only_with_percent_encoded_message()
    {
        using var raw = new RawGrpc(_hub, "garage-kaminoyama");
        var request = new PingRequest { EchoStatus = new EchoStatus { Code = (int)StatusCode.NotFound, Message = "見つかりません 100%" } };

        var (response, body) = await raw.PostAsync("/exchange.v1.Diagnostics/Ping", RawGrpc.Frame(request), cancellationToken: Ct);

        Assert.Empty(body);
        Assert.Equal("5", response.Headers.GetValues("grpc-status").Single());
        var encoded = response.Headers.GetValues("grpc-message").Single();
        Assert.DoesNotContain("見", encoded, StringComparison.Ordinal);
        Assert.Equal("見つかりません 100%", Uri.UnescapeDataString(encoded));
    }

    [Fact]
    public async Task Gzip_compressed_request_is_read_and_response_is_gzip_compressed()
    {
        using var raw = new RawGrpc(_hub, "garage-kaminoyama");
        var payload = ByteString.CopyFromUtf8(new string('a', 10_000));
        var headers = new Dictionary<string, string> { ["grpc-encoding"] = "gzip", ["grpc-accept-encoding"] = "gzip" };

        var (response, body) = await raw.PostAsync("/exchange.v1.Diagnostics/Ping", RawGrpc.Frame(new PingRequest { Payload = payload }, compress: true), headers: headers, cancellationToken: Ct);

        Assert.Equal("0", RawGrpc.Status(response));
        Assert.Equal("gzip", response.Headers.GetValues("grpc-encoding").Single());
        var frame = Assert.Single(RawGrpc.Unframe(body));
        Assert.True(frame.Compressed);
        Assert.True(frame.Payload.Length < 1_000);
        Assert.Equal(payload, PingReply.Parser.ParseFrom(RawGrpc.Gunzip(frame.Payload)).Payload);
    }

    [Fact]
    public async Task Uncompressed_request_gets_an_uncompressed_response_even_when_gzip_is_accepted()
    {
        using var raw = new RawGrpc(_hub, "garage-kaminoyama");
        var payload = ByteString.CopyFromUtf8(new string('a', 10_000));

        var (response, body) = await raw.PostAsync("/exchange.v1.Diagnostics/Ping", RawGrpc.Frame(new PingRequest { Payload = payload }), headers: new Dictionary<string, string> { ["grpc-accept-encoding"] = "identity,gzip" }, cancellationToken: Ct);

        Assert.Equal("0", RawGrpc.Status(response));
        var frame = Assert.Single(RawGrpc.Unframe(body));
        Assert.False(frame.Compressed);
        Assert.Equal(payload, PingReply.Parser.ParseFrom(frame.Payload).Payload);
    }

    [Fact]
    public async Task Gzip_works_end_to_end_with_the_client()
    {
        using var channel = _hub.Channel("garage-kaminoyama");
        var client = new Diagnostics.DiagnosticsClient(channel);
        var headers = new Metadata { { "grpc-internal-encoding-request", "gzip" } };
        var payload = ByteString.CopyFromUtf8(new string('b', 50_000));

        var reply = await client.PingAsync(new PingRequest { Payload = payload }, headers, cancellationToken: Ct);

        Assert.Equal(payload, reply.Payload);
    }

    [Fact]
    public async Task Health_check_and_watch_report_serving()
    {
        using var channel = _hub.Channel("garage-kaminoyama");
        var health = new Health.HealthClient(channel);

        var overall = await health.CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, overall.Status);

        using var watchCancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var watch = health.Watch(new HealthCheckRequest(), cancellationToken: watchCancel.Token);
        Assert.True(await watch.ResponseStream.MoveNext(Ct));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);
        await watchCancel.CancelAsync();

        var unknown = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Reflection_v1_lists_services_and_describes_them()
    {
        using var channel = _hub.Channel("garage-kaminoyama");
        var reflection = new Grpc.Reflection.V1.ServerReflection.ServerReflectionClient(channel);

        using var call = reflection.ServerReflectionInfo(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new Grpc.Reflection.V1.ServerReflectionRequest { ListServices = "" }, Ct);
        await call.RequestStream.WriteAsync(new Grpc.Reflection.V1.ServerReflectionRequest { FileContainingSymbol = "exchange.v1.Diagnostics" }, Ct);
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("exchange.v1.Diagnostics", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var file = Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto[0]);
        Assert.Equal("exchange/v1/diagnostics.proto", file.Name);
        Assert.Contains(file.Service, s => s.Name == "Diagnostics" && s.Method.Count == 4);
    }

    [Fact]
    public async Task Reflection_v1alpha_lists_services()
    {
        using var channel = _hub.Channel("garage-kaminoyama");
        var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(channel);

        using var call = reflection.ServerReflectionInfo(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" }, Ct);
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext(Ct));
        Assert.Contains(call.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "exchange.v1.Diagnostics");
    }

    [Fact]
    public async Task Connection_without_client_certificate_never_reaches_a_handler()
    {
        using var http = new HttpClient(MutualTlsChannel.CreateHandler(null, _hub.TrustAnchors));
        using var channel = GrpcChannel.ForAddress(_hub.Address, new GrpcChannelOptions { HttpClient = http });
        var client = new Diagnostics.DiagnosticsClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.PingAsync(new PingRequest(), cancellationToken: Ct).ResponseAsync);

        AssertConnectionRefused(error);
        Assert.Equal(0, _observer.RequestCount);
    }

    [Fact]
    public async Task Certificate_from_a_foreign_ca_never_reaches_a_handler()
    {
        var now = DateTimeOffset.UtcNow;
        using var foreign = CertificateAuthority.CreateRoot("Foreign CA", now, TimeSpan.FromDays(30));
        using var impostor = foreign.IssueClientWithNewKey(Exchange.Protocol.Identity.PartySpiffeId.Create("exchange.local", "garage-kaminoyama"), now.AddMinutes(-1), now.AddDays(1));
        using var channel = _hub.Channel(impostor);
        var client = new Diagnostics.DiagnosticsClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.PingAsync(new PingRequest(), cancellationToken: Ct).ResponseAsync);

        AssertConnectionRefused(error);
        Assert.Equal(0, _observer.RequestCount);
        Assert.Contains(_hub.Logs.Entries, e => e.Event.Id == 1001 && e.Message.Contains("garage-kaminoyama", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Certificate_for_another_trust_domain_is_refused()
    {
        var now = DateTimeOffset.UtcNow;
        using var ca = _hub.DevelopmentCa();
        using var other = ca.IssueClientWithNewKey(Exchange.Protocol.Identity.PartySpiffeId.Create("other.example", "garage-kaminoyama"), now.AddMinutes(-1), now.AddDays(1));
        using var channel = _hub.Channel(other);
        var client = new Diagnostics.DiagnosticsClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.PingAsync(new PingRequest(), cancellationToken: Ct).ResponseAsync);

        AssertConnectionRefused(error);
        Assert.Equal(0, _observer.RequestCount);
    }

    [Fact]
    public async Task Calls_on_one_channel_reuse_one_connection()
    {
        using var channel = _hub.Channel("garage-kaminoyama");
        var client = new Diagnostics.DiagnosticsClient(channel);

        for (var i = 0; i < 20; i++)
        {
            await client.PingAsync(new PingRequest(), cancellationToken: Ct);
        }

        Assert.Equal(1, _observer.ConnectionCount);
    }

    // Under TLS 1.3 the server judges the client certificate after the client has finished its
    // handshake, so the refusal reaches HttpClient as a broken connection or HTTP/2 stream.
    private static void AssertConnectionRefused(RpcException error)
    {
        Assert.True(error.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"expected a refused connection, got {error.Status}");
        Assert.NotNull(error.Status.DebugException);
    }

    /// <summary>Counts requests and connections reaching the app and notes which requests were aborted.</summary>
    private sealed class RequestObserver : IStartupFilter
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _connections = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _aborted = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Path, TimeSpan Duration)> _completed = new();
        private int _requests;

        public int RequestCount => _requests;

        public int ConnectionCount => _connections.Count;

        public async Task<bool> WaitForAbortAsync(string path, TimeSpan timeout)
        {
            var until = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < until)
            {
                if (_aborted.Contains(path))
                {
                    return true;
                }

                await Task.Delay(20, CancellationToken.None);
            }

            return false;
        }

        public async Task<TimeSpan> WaitForCompletionAsync(string path, TimeSpan timeout)
        {
            var until = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < until)
            {
                var done = _completed.FirstOrDefault(c => c.Path == path);
                if (done.Path is not null)
                {
                    return done.Duration;
                }

                await Task.Delay(20, CancellationToken.None);
            }

            return TimeSpan.MaxValue;
        }

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate inner) =>
            {
                Interlocked.Increment(ref _requests);
                _connections.TryAdd(context.Connection.Id, 0);
                var path = context.Request.Path.Value ?? "";
                using var registration = context.RequestAborted.Register(() => _aborted.Enqueue(path));
                var started = Stopwatch.StartNew();
                await inner(context);
                _completed.Enqueue((path, started.Elapsed));
            });
            next(app);
        };
    }
}
