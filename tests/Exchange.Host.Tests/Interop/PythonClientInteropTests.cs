using System.Text;
using System.Text.Json;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Protocol.Identity;
using Exchange.Protocol.Pki;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Hosting;

namespace Exchange.Host.Tests.Interop;

/// <summary>
/// gRPC for Python (Debian's python3-grpcio, gRPC core underneath) as a partner's client of the hub
/// over real mutual TLS: the hub must work with a gRPC implementation nobody here wrote.
/// </summary>
public sealed class PythonClientInteropTests : IAsyncLifetime
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);
    private readonly HubRequestCounter _requests = new();
    private TestHub _hub = null!;
    private string _descriptors = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _hub = await TestHub.StartAsync(configure: b => b.Services.AddSingleton<IStartupFilter>(_requests));
        _descriptors = PythonGrpc.WriteDescriptorSet(_hub.Directory);
    }

    public ValueTask DisposeAsync() => _hub.DisposeAsync();

    [Fact]
    public async Task Python_client_makes_unary_calls_over_mtls()
    {
        var run = await RunAsync("unary", new { payload = "こんにちは" });

        run.AssertCode(StatusCode.OK);
        run.Verify(r =>
        {
            var reply = r.GetProperty("reply");
            Assert.Equal("spiffe://exchange.local/party/garage-kaminoyama", reply.GetProperty("caller").GetString());
            Assert.Equal("garage-kaminoyama", reply.GetProperty("party_id").GetString());
            Assert.Equal("こんにちは", Encoding.UTF8.GetString(reply.GetProperty("payload_b64").GetBytesFromBase64()));
            Assert.Equal(1, reply.GetProperty("sequence").GetInt64());
            Assert.Equal(HubApplication.Version, reply.GetProperty("hub_version").GetString());
            Assert.InRange(reply.GetProperty("server_time_seconds").GetInt64() - r.GetProperty("client_time_seconds").GetInt64(), -60, 60);
        });
    }

    [Fact]
    public async Task Python_client_receives_every_message_of_a_server_stream_in_order()
    {
        var run = await RunAsync("server_streaming", new { count = 50 }, party: "group-lotus");

        run.AssertCode(StatusCode.OK);
        run.Verify(r =>
        {
            Assert.Equal(Enumerable.Range(1, 50), r.GetProperty("sequences").EnumerateArray().Select(s => s.GetInt32()));
            Assert.Equal(["group-lotus"], r.GetProperty("party_ids").EnumerateArray().Select(p => p.GetString()));
        });
    }

    [Fact]
    public async Task Python_client_streams_messages_that_the_hub_counts()
    {
        var run = await RunAsync("client_streaming", new { count = 20 }, party: "vendor-broadleaf");

        run.AssertCode(StatusCode.OK);
        run.Verify(r =>
        {
            var summary = r.GetProperty("summary");
            Assert.Equal(20, summary.GetProperty("messages").GetInt64());
            Assert.Equal(Enumerable.Range(0, 20).Sum(), summary.GetProperty("payload_bytes").GetInt64());
            Assert.Equal("spiffe://exchange.local/party/vendor-broadleaf", summary.GetProperty("caller").GetString());
        });
    }

    [Fact]
    public async Task Python_client_and_hub_alternate_messages_on_a_duplex_stream()
    {
        // The script sends each ping only after the reply to the previous one has arrived.
        var run = await RunAsync("bidi", new { count = 5 }, party: "admin");

        run.AssertCode(StatusCode.OK);
        run.Verify(r =>
        {
            var exchanged = r.GetProperty("exchanged").EnumerateArray().ToList();
            Assert.Equal(Enumerable.Range(1, 5).Select(i => $"#{i}"), exchanged.Select(e => e.GetProperty("payload").GetString()));
            Assert.Equal(Enumerable.Range(1, 5), exchanged.Select(e => e.GetProperty("sequence").GetInt32()));
            Assert.Equal(0, r.GetProperty("replies_after_half_close").GetInt32());
        });
    }

    [Theory]
    [InlineData(StatusCode.NotFound, "車台番号 ABC-123 は見つかりません")]
    [InlineData(StatusCode.FailedPrecondition, "100% done; quote \"ok\" — ✓ %41")]
    [InlineData(StatusCode.PermissionDenied, "")]
    public async Task Python_client_receives_error_status_and_non_ascii_message_intact(StatusCode code, string message)
    {
        var run = await RunAsync("error_unary", new { code = (int)code, message });

        run.AssertCode(code);
        run.Verify(_ => Assert.Equal(message, run.Details));
    }

    [Fact]
    public async Task Python_client_receives_an_error_status_after_streamed_messages()
    {
        var run = await RunAsync("error_after_stream", new { count = 3, code = (int)StatusCode.Aborted, message = "中断されました" });

        run.AssertCode(StatusCode.Aborted);
        run.Verify(r =>
        {
            Assert.Equal("中断されました", run.Details);
            Assert.Equal(3, r.GetProperty("received").GetInt32());
        });
    }

    [Fact]
    public async Task Python_client_sends_and_receives_metadata_including_a_binary_trailer()
    {
        byte[] binary = [0, 1, 2, 0xFE, 0xFF];

        var run = await RunAsync("metadata", new { initial = "initial-value", trailing_b64 = Convert.ToBase64String(binary) });

        run.AssertCode(StatusCode.OK);
        run.Verify(r =>
        {
            Assert.Equal(["initial-value"], r.GetProperty("initial").EnumerateArray().Select(v => v.GetString()));
            Assert.Equal([binary], r.GetProperty("trailing_b64").EnumerateArray().Select(v => v.GetBytesFromBase64()));
        });
    }

    [Fact]
    public async Task Python_client_deadline_ends_a_slow_stream_with_deadline_exceeded()
    {
        var run = await RunAsync("deadline", new { count = 100, interval_ms = 100, timeout_ms = 300 });

        run.AssertCode(StatusCode.DeadlineExceeded);
        run.Verify(r =>
        {
            Assert.InRange(r.GetProperty("received").GetInt32(), 1, 5);
            Assert.InRange(r.GetProperty("elapsed_ms").GetInt32(), 250, 5_000);
        });
        // Without the deadline the hub's handler would stream for ten seconds.
        var handler = await _requests.WaitForCompletionAsync("/exchange.v1.Diagnostics/PingStream", TimeSpan.FromSeconds(5));
        Assert.True(handler < TimeSpan.FromSeconds(3), $"the hub's handler went on after grpcio's deadline (ran {handler?.ToString() ?? "over 5 s"}).\n{run.Describe()}");
    }

    [Theory]
    [InlineData("/exchange.v1.Diagnostics/NoSuchMethod")]
    [InlineData("/exchange.v1.NoSuchService/Ping")]
    public async Task Python_client_calling_an_unknown_method_gets_unimplemented(string method)
    {
        var run = await RunAsync("unimplemented", new { method });

        run.AssertCode(StatusCode.Unimplemented);
    }

    [Theory]
    [InlineData("FFFFFFFF0F129A")]
    [InlineData("0A02C328")]
    public async Task Python_client_sending_a_request_that_cannot_be_parsed_gets_invalid_argument(string requestHex)
    {
        var run = await RunAsync("raw_unary", new { method = "/exchange.v1.Records/GetCustomer", request_hex = requestHex });

        run.AssertCode(StatusCode.InvalidArgument);
        run.Verify(r => Assert.StartsWith("the request is not a valid GetCustomerRequest message", r.GetProperty("details").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Python_client_sending_a_megabyte_purpose_gets_invalid_argument_with_a_short_message()
    {
        var run = await RunAsync("raw_unary", new { method = "/exchange.v1.Records/GetCustomer", purpose_length = 1_000_000, owner = "garage-kaminoyama", customer_ref = "c-1" });

        run.AssertCode(StatusCode.InvalidArgument);
        run.Verify(r => Assert.Equal("purpose is longer than 16384 characters (rule request.malformed)", r.GetProperty("details").GetString()));
    }

    [Theory]
    [InlineData("garage-kaminoyama", StatusCode.OK)]
    [InlineData("vendor-broadleaf", StatusCode.Unauthenticated)]
    public async Task Python_client_obtains_a_bound_token_over_mtls_and_calls_records_with_it_only_over_its_own_certificate(string callingParty, StatusCode expected)
    {
        const string Garage = "garage-kaminoyama";
        using (var garage = _hub.Channel(Garage))
        {
            await new Records.RecordsClient(garage).PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer("C1") }, cancellationToken: Ct);
        }

        var run = await RunAsync(
            "token_records",
            new
            {
                ca = Path.Combine(_hub.CertificateDirectory, "ca.crt"),
                token_party = Garage,
                token_cert = Path.Combine(_hub.CertificateDirectory, Garage + ".crt"),
                token_key = Path.Combine(_hub.CertificateDirectory, Garage + ".key"),
                // GetCustomerRequest, encoded here: the script needs no message class for it.
                request_hex = Convert.ToHexString(new GetCustomerRequest { Purpose = "after-sales", OwnerParty = Garage, CustomerRef = "C1", Items = { "contact" } }.ToByteArray()),
            },
            party: callingParty);

        run.AssertCode(expected);
        run.Verify(r =>
        {
            Assert.Equal("Bearer", r.GetProperty("token_type").GetString());
            if (expected == StatusCode.OK)
            {
                Assert.True(r.GetProperty("reply_bytes").GetInt32() > 0);
            }
            else
            {
                Assert.StartsWith("bearer token refused: the token is not valid", r.GetProperty("details").GetString(), StringComparison.Ordinal);
            }
        });
    }

    [Fact]
    public async Task Python_client_gzip_compressed_call_round_trips()
    {
        var run = await RunAsync("gzip", new { size = 50_000 });

        run.AssertCode(StatusCode.OK);
        run.Verify(r => Assert.True(r.GetProperty("payload_intact").GetBoolean(), "the payload came back changed"));
    }

    [Fact]
    public async Task Python_client_with_a_certificate_from_a_foreign_ca_is_refused_before_any_handler()
    {
        var now = DateTimeOffset.UtcNow;
        using var foreign = CertificateAuthority.CreateRoot("Foreign CA", now, TimeSpan.FromDays(30));
        using var impostor = foreign.IssueClientWithNewKey(PartySpiffeId.Create("exchange.local", "garage-kaminoyama"), now.AddMinutes(-1), now.AddDays(1));
        var (certificate, key) = PythonGrpc.WritePem(impostor, _hub.Directory, "impostor");

        var run = await RunAsync("unary", new { payload = "" }, clientCertificate: (certificate, key));

        // Under TLS 1.3 the hub judges the certificate after the client finished its handshake, so
        // grpcio sees the connection close ("Socket closed", ...): only the code is asserted.
        run.AssertCode(StatusCode.Unavailable);
        AssertNothingReachedTheHub(run);
        Assert.True(
            _hub.Logs.Entries.Any(e => e.Event.Id == 1001 && e.Message.Contains("garage-kaminoyama", StringComparison.Ordinal)),
            $"the hub did not log the refusal at the handshake (event 1001).\n{HubWarnings()}");
    }

    [Fact]
    public async Task Python_client_without_a_client_certificate_is_refused_before_any_handler()
    {
        var run = await RunAsync("unary", new { payload = "" }, clientCertificate: (null, null));

        run.AssertCode(StatusCode.Unavailable);
        AssertNothingReachedTheHub(run);
    }

    private void AssertNothingReachedTheHub(PythonClientRun run)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(HubWarnings());
        Assert.True(_requests.RequestCount == 0, $"{_requests.RequestCount} request(s) reached the hub's pipeline.\n{run.Describe()}\n{HubWarnings()}");
    }

    private string HubWarnings() =>
        "--- hub warnings and errors ---\n" + string.Join('\n', _hub.Logs.Entries.Select(e => $"{e.Level} {e.Category}[{e.Event.Id}]: {e.Message}"));

    /// <summary>
    /// Runs one case of interop_client.py against the hub, as <paramref name="party"/> (a development
    /// party) or with the given PEM files (nulls: no client certificate at all).
    /// </summary>
    private Task<PythonClientRun> RunAsync(string testCase, object parameters, string party = "garage-kaminoyama", (string? Certificate, string? Key)? clientCertificate = null)
    {
        var (certificate, key) = clientCertificate
            ?? (Path.Combine(_hub.CertificateDirectory, party + ".crt"), Path.Combine(_hub.CertificateDirectory, party + ".key"));
        List<string> arguments =
        [
            "--target", $"127.0.0.1:{_hub.Address.Port}",
            "--ca", Path.Combine(_hub.CertificateDirectory, "ca.crt"),
            "--descriptors", _descriptors,
            // System.Text.Json escapes every non-ASCII character: the command line stays ASCII.
            "--params", JsonSerializer.Serialize(parameters),
        ];
        if (certificate is not null && key is not null)
        {
            arguments.AddRange(["--cert", certificate, "--key", key]);
        }

        return PythonClientRun.StartAsync(testCase, arguments, ScriptTimeout, Ct);
    }
}
