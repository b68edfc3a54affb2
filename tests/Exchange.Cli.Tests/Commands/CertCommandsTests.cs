using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Exchange.Cli.Tests.Infrastructure;

namespace Exchange.Cli.Tests.Commands;

public sealed class CertCommandsTests : CliScenario
{
    private const string Garage = "garage-zao";

    private async Task<(string Fingerprint, CliRun Run)> RequestAsync(params string[] extra)
    {
        var run = (await RunAsync(["cert", "request", "--party", Garage, "--output", "json", .. extra])).Expect(0);
        using var json = JsonDocument.Parse(run.Out);
        return (json.RootElement.GetProperty("publicKeySha256").GetString()!, run);
    }

    // Windows has no Unix file modes; the tool does not set any there.
    private static UnixFileMode ModeOf(string path) =>
        OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(path);

    private async Task AddGarageAsync() =>
        (await RunAsync("party", "add", Garage, "--role", "member-garage", "--name-ja", "株式会社蔵王自動車", "--name-en", "Zao Motors Co., Ltd.")).Expect(0);

    [Fact]
    public async Task Request_approve_use_and_revoke_a_certificate_with_the_private_key_kept_on_the_partners_machine()
    {
        await AddGarageAsync();

        var (fingerprint, _) = await RequestAsync();
        var key = InWorkingDirectory("garage-zao.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(key));
        Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----", await File.ReadAllTextAsync(InWorkingDirectory("garage-zao.csr"), Ct), StringComparison.Ordinal);
        Assert.Equal(64, fingerprint.Length);

        var approved = (await RunAsync("cert", "approve", "--csr", "garage-zao.csr", "--party", Garage, "--expect-key-sha256", fingerprint, "--ca-out", "ca.crt")).Expect(0);
        Assert.Equal(fingerprint, approved.Field("public key sha256"));
        Assert.Equal(InWorkingDirectory("garage-zao.crt"), approved.Field("written to"));
        using var issued = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(InWorkingDirectory("garage-zao.crt"), Ct));
        Assert.Equal((await File.ReadAllTextAsync(Path.Combine(Hub.CertificateDirectory, "ca.crt"), Ct)).Trim(), (await File.ReadAllTextAsync(InWorkingDirectory("ca.crt"), Ct)).Trim());

        var ping = (await RunAsync("ping", "--cert", "garage-zao.crt", "--key", "garage-zao.key", "--ca", "ca.crt")).Expect(0);
        Assert.Equal("spiffe://exchange.local/party/garage-zao", ping.Field("caller"));

        var revoked = (await RunAsync("cert", "revoke", issued.SerialNumber.ToLowerInvariant(), "--reason", "key-compromise", "--note", "laptop stolen")).Expect(0);
        Assert.Equal("revoked", revoked.Field("state"));
        var refused = (await RunAsync("ping", "--cert", "garage-zao.crt", "--key", "garage-zao.key")).Expect(3);
        Assert.Contains("the hub refused your certificate", refused.Error, StringComparison.Ordinal);
        var listed = (await RunAsync("cert", "list", "--party", Garage, "--all")).Expect(0);
        Assert.Contains("(key-compromise)", listed.Out, StringComparison.Ordinal);
        Assert.Empty((await RunAsync("cert", "list", "--party", Garage)).Expect(0).Out);
    }

    [Fact]
    public async Task Request_needs_no_hub_and_sends_nothing_unless_asked_to_submit()
    {
        var (_, run) = await RequestAsync("--hub", "https://127.0.0.1:1");

        using var json = JsonDocument.Parse(run.Out);
        Assert.False(json.RootElement.TryGetProperty("requestId", out _));
        Assert.Contains("never leaves this machine", run.Error, StringComparison.Ordinal);
        Assert.Empty((await RunAsync("cert", "requests", "--state", "all")).Expect(0).Out);
    }

    [Fact]
    public async Task Request_never_overwrites_a_key_unless_forced()
    {
        await AddGarageAsync();
        await RequestAsync();
        var original = await File.ReadAllTextAsync(InWorkingDirectory("garage-zao.key"), Ct);

        var refused = (await RunAsync("cert", "request", "--party", Garage)).Expect(6);
        Assert.Equal(original, await File.ReadAllTextAsync(InWorkingDirectory("garage-zao.key"), Ct));
        await RequestAsync("--force", "--key-type", "rsa-3072");

        Assert.Contains("--force", refused.Error, StringComparison.Ordinal);
        Assert.Contains("BEGIN PRIVATE KEY", await File.ReadAllTextAsync(InWorkingDirectory("garage-zao.key"), Ct), StringComparison.Ordinal);
        Assert.NotEqual(original, await File.ReadAllTextAsync(InWorkingDirectory("garage-zao.key"), Ct));
    }

    [Fact]
    public async Task Submitted_request_is_listed_and_approved_by_its_id_only_when_the_fingerprint_matches()
    {
        await AddGarageAsync();
        var (fingerprint, requested) = await RequestAsync("--submit");
        using var json = JsonDocument.Parse(requested.Out);
        var requestId = json.RootElement.GetProperty("requestId").GetString()!;

        var pending = (await RunAsync("cert", "requests")).Expect(0);
        var mismatch = (await RunAsync("cert", "approve", requestId, "--expect-key-sha256", new string('0', 64))).Expect(6);
        var approved = (await RunAsync("cert", "approve", requestId, "--expect-key-sha256", fingerprint.ToUpperInvariant(), "--lifetime-days", "30", "--out", "zao.crt")).Expect(0);
        var none = (await RunAsync("cert", "requests")).Expect(0);

        Assert.Contains(requestId, pending.Out, StringComparison.Ordinal);
        Assert.Contains("not approved", mismatch.Error, StringComparison.Ordinal);
        Assert.Equal("valid", approved.Field("state"));
        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(InWorkingDirectory("zao.crt"), Ct));
        Assert.InRange(certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow, TimeSpan.FromDays(29.9), TimeSpan.FromDays(30));
        Assert.Empty(none.Out);
        Assert.Contains("(none)", none.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approve_needs_a_request_id_or_a_csr_with_its_party_and_reject_needs_a_reason()
    {
        var neither = (await RunAsync("cert", "approve")).Expect(2);
        var noParty = (await RunAsync("cert", "approve", "--csr", "x.csr")).Expect(2);
        var unknown = (await RunAsync("cert", "approve", "csr_nope")).Expect(5);
        var noReason = (await RunAsync("cert", "reject", "csr_nope")).Expect(2);

        Assert.Contains("--csr <file> with --party", neither.Error, StringComparison.Ordinal);
        Assert.Contains("--csr <file> with --party", noParty.Error, StringComparison.Ordinal);
        Assert.Contains("no signing request 'csr_nope'", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("'--reason' is required", noReason.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_party_renews_its_own_certificate_in_place_and_the_previous_one_keeps_working()
    {
        File.Copy(Path.Combine(Hub.CertificateDirectory, "garage-kaminoyama.crt"), InWorkingDirectory("me.crt"));
        File.Copy(Path.Combine(Hub.CertificateDirectory, "garage-kaminoyama.key"), InWorkingDirectory("me.key"));
        using var previous = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(InWorkingDirectory("me.crt"), Ct));

        var renewed = (await RunAsync("cert", "renew", "--cert", "me.crt", "--key", "me.key")).Expect(0);

        using var current = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(InWorkingDirectory("me.crt"), Ct));
        Assert.NotEqual(previous.SerialNumber, current.SerialNumber);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(InWorkingDirectory("me.key")));
        Assert.Contains($"exchange cert revoke {previous.SerialNumber} --reason superseded", renewed.Error, StringComparison.Ordinal);
        Assert.Equal("garage-kaminoyama", (await RunAsync("ping", "--cert", "me.crt", "--key", "me.key")).Expect(0).Field("party"));
        (await RunAsAsync("garage-kaminoyama", "ping")).Expect(0);
        Assert.Empty(Directory.GetFiles(WorkingDirectory, "*.tmp", SearchOption.AllDirectories));
        var mine = (await RunAsAsync("garage-kaminoyama", "cert", "list")).Expect(0);
        Assert.Contains(current.SerialNumber, mine.Out, StringComparison.Ordinal);
        Assert.Contains(previous.SerialNumber, mine.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Crl_is_written_as_pem_and_counts_the_revocations()
    {
        using var lotus = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(Hub.CertificateDirectory, "group-lotus.crt"), Ct));
        (await RunAsync("cert", "revoke", lotus.SerialNumber, "--reason", "affiliation-changed")).Expect(0);

        var written = (await RunAsync("cert", "crl", "--out", "hub.crl")).Expect(0);
        var printed = (await RunAsync("cert", "crl")).Expect(0);
        var binary = (await RunAsync("cert", "crl", "--der")).Expect(2);

        Assert.Equal("1", written.Field("entries"));
        Assert.StartsWith("-----BEGIN X509 CRL-----", await File.ReadAllTextAsync(InWorkingDirectory("hub.crl"), Ct), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN X509 CRL-----", printed.Out, StringComparison.Ordinal);
        Assert.Contains("--der needs --out", binary.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoking_another_partys_certificate_as_a_party_is_refused_with_4()
    {
        using var lotus = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(Hub.CertificateDirectory, "group-lotus.crt"), Ct));

        var run = (await RunAsAsync("garage-kaminoyama", "cert", "revoke", lotus.SerialNumber, "--reason", "key-compromise")).Expect(4);

        Assert.Contains("certificate.own-only", run.Error, StringComparison.Ordinal);
    }
}
