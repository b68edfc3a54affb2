using System.Text.Json;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Grpc.Core;

namespace Exchange.Host.Tests.Interop;

/// <summary>
/// Live revocation seen by a client nobody here wrote: Debian's python3-grpcio keeps a connection
/// open while an administrator revokes its certificate; its next call on that connection is
/// refused, and so is a new connection.
/// </summary>
public sealed class PythonRevocationInteropTests : HubScenario
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Python_client_is_refused_on_its_open_connection_and_on_a_new_one_once_its_certificate_is_revoked()
    {
        var party = "vendor-broadleaf";
        var ready = Path.Combine(Hub.Directory, "python-ready");
        var go = Path.Combine(Hub.Directory, "python-go");
        var running = PythonClientRun.StartAsync("revocation", Arguments(party, new { ready_file = ready, go_file = go }), ScriptTimeout, Ct);

        await WaitForAsync(ready, running);
        var serial = Certificate(party).SerialNumber;
        await Channel("admin").RevokeAsync(serial, CertificateRevocationReason.KeyCompromise);
        await File.WriteAllTextAsync(go, "go\n", Ct);
        var run = await running;

        run.AssertCode(StatusCode.OK);
        run.Verify(r =>
        {
            Assert.Equal("OK", r.GetProperty("first").GetProperty("code").GetString());
            var same = r.GetProperty("same_connection");
            Assert.Equal("UNAUTHENTICATED", same.GetProperty("code").GetString());
            Assert.Contains($"certificate {serial} is revoked (key-compromise)", same.GetProperty("details").GetString(), StringComparison.Ordinal);
            // A refusal at the TLS 1.3 handshake reaches grpcio as a closed connection.
            Assert.Equal("UNAVAILABLE", r.GetProperty("new_connection").GetProperty("code").GetString());
        });
        Refusals.AssertRefusedAtHandshake(Hub, $"certificate {serial} is revoked");
    }

    private static async Task WaitForAsync(string file, Task<PythonClientRun> running)
    {
        var deadline = DateTime.UtcNow + ScriptTimeout;
        while (!File.Exists(file))
        {
            if (running.IsCompleted)
            {
                var run = await running;
                Assert.Fail($"interop_client.py finished before its first call was made.\n{run.Describe()}");
            }

            Assert.True(DateTime.UtcNow < deadline, "interop_client.py never made its first call");
            await Task.Delay(20, Ct);
        }
    }

    private List<string> Arguments(string party, object parameters) =>
    [
        "--target", $"127.0.0.1:{Hub.Address.Port}",
        "--ca", Path.Combine(Hub.CertificateDirectory, "ca.crt"),
        "--cert", Path.Combine(Hub.CertificateDirectory, party + ".crt"),
        "--key", Path.Combine(Hub.CertificateDirectory, party + ".key"),
        "--descriptors", PythonGrpc.WriteDescriptorSet(Hub.Directory),
        "--params", JsonSerializer.Serialize(parameters),
    ];
}
