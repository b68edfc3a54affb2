using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Exchange.Contracts.V1;
using Exchange.Protocol.Client;
using Exchange.Protocol.Identity;
using Exchange.Protocol.Pki;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Exchange.Host.Tests.Interop;

/// <summary>
/// The hub's C# client (MutualTlsChannel and the generated Diagnostics client) calling a gRPC for
/// Python server (Debian's python3-grpcio) over mutual TLS, with certificates from a fresh CA:
/// what a partner's server written elsewhere sees from us, and what we make of its answers.
/// </summary>
public sealed class PythonServerInteropTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly PartySpiffeId Caller = PartySpiffeId.Create("exchange.local", "garage-kaminoyama");
    private string _directory = null!;
    private CertificateAuthority _ca = null!;
    private X509Certificate2 _clientCertificate = null!;
    private X509Certificate2Collection _trustAnchors = null!;
    private PythonServerProcess _server = null!;
    private GrpcChannel _channel = null!;
    private Diagnostics.DiagnosticsClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "exchange-interop-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_directory);
        var now = DateTimeOffset.UtcNow;
        _ca = CertificateAuthority.CreateRoot("Partner Interop CA", now, TimeSpan.FromDays(1));
        using var serverCertificate = _ca.IssueServerWithNewKey("python-interop-server", ["localhost"], [IPAddress.Loopback, IPAddress.IPv6Loopback], now.AddMinutes(-5), now.AddDays(1));
        _clientCertificate = _ca.IssueClientWithNewKey(Caller, now.AddMinutes(-5), now.AddDays(1));
        _trustAnchors = [X509CertificateLoader.LoadCertificate(_ca.Certificate.RawData)];

        var (caPath, _) = PythonGrpc.WritePem(_trustAnchors[0], _directory, "ca");
        var (certificatePath, keyPath) = PythonGrpc.WritePem(serverCertificate, _directory, "server");
        _server = await PythonServerProcess.StartAsync(caPath, certificatePath, keyPath, PythonGrpc.WriteDescriptorSet(_directory), StartTimeout, Ct);
        _channel = MutualTlsChannel.Create(ServerAddress, _clientCertificate, _trustAnchors);
        _client = new Diagnostics.DiagnosticsClient(_channel);
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _clientCertificate?.Dispose();
        _ca?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Uri ServerAddress => new($"https://127.0.0.1:{_server.Port}");

    [Fact]
    public Task Csharp_client_makes_unary_calls_to_a_python_server_over_mtls() => _server.VerifyAsync(async () =>
    {
        var reply = await _client.PingAsync(new PingRequest { Payload = ByteString.CopyFromUtf8("こんにちは") }, cancellationToken: Ct);

        // The python server names the caller from the client certificate our channel presented.
        Assert.Equal(Caller.ToString(), reply.Caller);
        Assert.Equal(Caller.PartyId, reply.PartyId);
        Assert.Equal("こんにちは", reply.Payload.ToStringUtf8());
        Assert.Equal(1, reply.Sequence);
        Assert.StartsWith("python-grpcio/", reply.HubVersion, StringComparison.Ordinal);
        Assert.InRange(reply.ServerTime.ToDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    });

    [Fact]
    public Task Csharp_client_reads_every_message_of_a_python_server_stream_in_order() => _server.VerifyAsync(async () =>
    {
        using var call = _client.PingStream(new PingStreamRequest { Count = 50, Payload = ByteString.CopyFromUtf8("s") }, cancellationToken: Ct);
        var sequences = new List<long>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync(Ct))
        {
            sequences.Add(reply.Sequence);
            Assert.Equal("s", reply.Payload.ToStringUtf8());
        }

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), sequences);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    });

    [Fact]
    public Task Csharp_client_streams_messages_that_a_python_server_counts() => _server.VerifyAsync(async () =>
    {
        using var call = _client.PingUpload(cancellationToken: Ct);
        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new PingRequest { Payload = ByteString.CopyFrom(new byte[i]) }, Ct);
        }

        await call.RequestStream.CompleteAsync();
        var summary = await call;

        Assert.Equal(20, summary.Messages);
        Assert.Equal(Enumerable.Range(0, 20).Sum(), summary.PayloadBytes);
        Assert.Equal(Caller.ToString(), summary.Caller);
    });

    [Fact]
    public Task Csharp_client_and_python_server_alternate_messages_on_a_duplex_stream() => _server.VerifyAsync(async () =>
    {
        using var call = _client.PingEcho(cancellationToken: Ct);
        for (var i = 1; i <= 5; i++)
        {
            await call.RequestStream.WriteAsync(new PingRequest { Payload = ByteString.CopyFromUtf8($"#{i}") }, Ct);
            Assert.True(await call.ResponseStream.MoveNext(Ct));
            Assert.Equal($"#{i}", call.ResponseStream.Current.Payload.ToStringUtf8());
            Assert.Equal(i, call.ResponseStream.Current.Sequence);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    });

    [Theory]
    [InlineData(StatusCode.NotFound, "車台番号 ABC-123 は見つかりません")]
    [InlineData(StatusCode.FailedPrecondition, "100% done; quote \"ok\" — ✓ %41")]
    [InlineData(StatusCode.PermissionDenied, "")]
    public Task Python_server_error_status_and_non_ascii_message_reach_the_csharp_client_intact(StatusCode code, string message) => _server.VerifyAsync(async () =>
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _client.PingAsync(new PingRequest { EchoStatus = new EchoStatus { Code = (int)code, Message = message } }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(code, error.StatusCode);
        Assert.Equal(message, error.Status.Detail);
    });

    [Fact]
    public Task Python_server_error_after_streamed_messages_reaches_the_csharp_client() => _server.VerifyAsync(async () =>
    {
        using var call = _client.PingStream(new PingStreamRequest { Count = 3, EchoStatus = new EchoStatus { Code = (int)StatusCode.Aborted, Message = "中断されました" } }, cancellationToken: Ct);
        var received = 0;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync(Ct))
            {
                received++;
            }
        });

        Assert.Equal(3, received);
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal("中断されました", error.Status.Detail);
    });

    [Fact]
    public Task Metadata_travels_both_ways_between_the_csharp_client_and_a_python_server() => _server.VerifyAsync(async () =>
    {
        byte[] binary = [0, 1, 2, 0xFE, 0xFF];
        var headers = new Metadata { { "x-grpc-test-echo-initial", "initial-value" }, { "x-grpc-test-echo-trailing-bin", binary } };

        using var call = _client.PingAsync(new PingRequest(), headers, cancellationToken: Ct);
        var responseHeaders = await call.ResponseHeadersAsync;
        await call;

        Assert.Equal("initial-value", responseHeaders.GetValue("x-grpc-test-echo-initial"));
        Assert.Equal(binary, call.GetTrailers().GetValueBytes("x-grpc-test-echo-trailing-bin"));
    });

    [Fact]
    public Task Csharp_client_deadline_ends_a_slow_python_stream_and_reaches_the_python_server() => _server.VerifyAsync(async () =>
    {
        // The connection (TLS handshake included) is opened first: under a loaded CI machine it can
        // take longer than the 300 ms deadline, and the call would then never reach the server.
        await _client.PingAsync(new PingRequest(), cancellationToken: Ct);
        var started = Stopwatch.StartNew();

        using var call = _client.PingStream(new PingStreamRequest { Count = 100, IntervalMs = 100 }, deadline: DateTime.UtcNow.AddMilliseconds(300), cancellationToken: Ct);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync(Ct))
            {
            }
        });

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));

        // The deadline travelled as grpc-timeout: the python handler saw it and stopped streaming.
        var begun = await _server.WaitForEventAsync(e => IsEvent(e, "call", "PingStream"), TimeSpan.FromSeconds(5));
        Assert.True(begun is not null, "the python server never reported the call");
        var remaining = begun.Value.GetProperty("time_remaining_ms");
        Assert.True(remaining.ValueKind == JsonValueKind.Number, "the python server saw no deadline (no grpc-timeout header)");
        Assert.InRange(remaining.GetInt32(), 0, 300);
        var ended = await _server.WaitForEventAsync(e => IsEvent(e, "ended", "PingStream"), TimeSpan.FromSeconds(5));
        Assert.True(ended is not null, "the python handler went on streaming after the deadline");
        Assert.True(ended.Value.GetProperty("cancelled").GetBoolean(), "the python handler finished instead of being cancelled");
        Assert.InRange(ended.Value.GetProperty("sent").GetInt32(), 0, 10);
    });

    [Fact]
    public Task Csharp_client_refuses_a_python_server_whose_certificate_is_from_an_unknown_ca() => _server.VerifyAsync(async () =>
    {
        var now = DateTimeOffset.UtcNow;
        using var other = CertificateAuthority.CreateRoot("Other CA", now, TimeSpan.FromDays(1));
        using var channel = MutualTlsChannel.Create(ServerAddress, _clientCertificate, [X509CertificateLoader.LoadCertificate(other.Certificate.RawData)]);
        var client = new Diagnostics.DiagnosticsClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.PingAsync(new PingRequest(), cancellationToken: Ct).ResponseAsync);

        // grpc-dotnet reports a TLS failure as Internal (gRPC core would say Unavailable): what
        // matters is that our side of the handshake rejected the server's certificate.
        Assert.True(error.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"expected a refused connection, got {error.Status}");
        Assert.True(InnerExceptions(error.Status.DebugException).Any(e => e is AuthenticationException), $"expected the server certificate to be rejected, got {error.Status}");
        Assert.DoesNotContain(_server.Events, e => IsEvent(e, "call", "Ping"));
    });

    private static IEnumerable<Exception> InnerExceptions(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error;
        }
    }

    private static bool IsEvent(JsonElement e, string kind, string method) =>
        e.GetProperty("event").GetString() == kind && e.TryGetProperty("method", out var m) && m.GetString() == method;
}
