using System.Globalization;
using System.Text.Json;
using Exchange.Cli.Tests.Infrastructure;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage;
using Grpc.Core;

namespace Exchange.Cli.Tests.Commands;

/// <summary>
/// <c>exchange witness</c>, <c>exchange log verify --log-key</c> and <c>exchange log prove</c>
/// against a hub that signs a checkpoint every second and counts group-lotus's cosignatures.
/// </summary>
public abstract class WitnessCommandTests(DatabaseProvider provider) : CliScenario
{
    private readonly WitnessKey _witness = WitnessKey.Create();

    private string KeyFile => InWorkingDirectory("lotus-witness.key");

    private string StateFile => InWorkingDirectory("witness/state.json");

    [Fact]
    public async Task A_witness_cosigns_each_checkpoint_consistent_with_the_last_and_a_partner_verifies_and_proves_with_the_public_key_alone()
    {
        await AppendAsync(Hub, 10);
        var logKey = (await WaitForCheckpointAsync(Hub, 10)).VerifierKey;

        var first = (await WitnessAsync()).Expect(0);
        Assert.Equal(("10", "1 of 1 needed (quorum met)"), (first.Field("cosigned tree size"), first.Field("cosignatures")));
        await AppendAsync(Hub, 290);
        await WaitForCheckpointAsync(Hub, 300);
        (await WitnessAsync()).Expect(0);
        Assert.Equal(300, ReadState().GetProperty("size").GetInt64());
        Assert.True((await Log(Hub).GetTreeCheckpointAsync(new GetTreeCheckpointRequest(), cancellationToken: Ct)).QuorumMet);

        var partnerState = InWorkingDirectory("partner.json");
        var verified = (await RunAsync("log", "verify", "--log-key", logKey, "--endpoint", Hub.PublicAddress!.ToString(), "--witness", _witness.VerifierKey, "--from-size", "10", "--from-root", first.Field("root"))).Expect(0);
        Assert.Equal(("300", "witness.lotus.example"), (verified.Field("tree size"), verified.Field("cosigned by")));
        (await RunAsync("log", "verify", "--log-key", logKey, "--endpoint", Hub.PublicAddress!.ToString(), "--witness", _witness.VerifierKey, "--state", partnerState)).Expect(0);
        Assert.Contains("\"size\":300", await File.ReadAllTextAsync(partnerState, Ct), StringComparison.Ordinal);

        var entry = await Log(Hub).ProveInclusionAsync(new ProveInclusionRequest { Sequence = 257 }, cancellationToken: Ct);
        var proved = (await RunAsync("log", "prove", "--entry", "257", "--entry-hash", entry.EntryHash, "--log-key", logKey, "--endpoint", Hub.PublicAddress!.ToString(), "--witness", _witness.VerifierKey)).Expect(0);
        Assert.Equal("300", proved.Field("included in tree size"));
        var other = await Log(Hub).ProveInclusionAsync(new ProveInclusionRequest { Sequence = 256 }, cancellationToken: Ct);
        var refused = (await RunAsync("log", "prove", "--entry", "257", "--entry-hash", other.EntryHash, "--log-key", logKey, "--endpoint", Hub.PublicAddress!.ToString())).Expect(7);
        Assert.Contains("is NOT in the tree of size 300", refused.Error, StringComparison.Ordinal);

        // A witness the partner trusts that did not cosign: the quorum is not met.
        using var stranger = NoteKey.CreateWitness("witness.stranger.example");
        (await RunAsync("log", "verify", "--log-key", logKey, "--endpoint", Hub.PublicAddress!.ToString(), "--witness", _witness.VerifierKey, "--witness", stranger.VerifierKey)).Expect(7);
    }

    [Fact]
    public async Task Truncating_the_log_after_a_cosigned_checkpoint_is_detected_by_log_verify_and_the_restarted_witness_refuses_to_go_backwards()
    {
        await AppendAsync(Hub, 30);
        var logKey = (await WaitForCheckpointAsync(Hub, 30)).VerifierKey;
        (await WitnessAsync()).Expect(0);
        var partnerState = InWorkingDirectory("partner.json");
        (await RunAsync("log", "verify", "--log-key", logKey, "--endpoint", Hub.PublicAddress!.ToString(), "--witness", _witness.VerifierKey, "--state", partnerState)).Expect(0);

        // Entries 21 … 30 cut by someone with database access, with the checkpoints over them; the hub signs the shorter log.
        await Hub.ExecuteSqlAsync("DELETE FROM provision_log_tree_checkpoints WHERE size > 20");
        Assert.Equal(10, await Hub.ExecuteSqlAsync("DELETE FROM provision_log WHERE sequence > 20"));
        await WaitForCheckpointAsync(Hub, 20, exactly: true);

        var verify = (await RunAsync("log", "verify", "--log-key", logKey, "--endpoint", Hub.PublicAddress!.ToString(), "--state", partnerState)).Expect(7);
        Assert.Contains("the log went backwards: it signed tree size 20 after size 30", verify.Error, StringComparison.Ordinal);
        Assert.Contains("\"size\":30", await File.ReadAllTextAsync(partnerState, Ct), StringComparison.Ordinal);

        var witness = (await WitnessAsync()).Expect(7);
        Assert.Contains("went backwards", witness.Error, StringComparison.Ordinal);
        Assert.Equal(30, ReadState().GetProperty("size").GetInt64());
        var evidence = await File.ReadAllTextAsync(StateFile + ".evidence", Ct);
        Assert.Contains("\n30\n", evidence, StringComparison.Ordinal);
        Assert.Contains("\n20\n", evidence, StringComparison.Ordinal);
        Assert.Empty((await Log(Hub).GetTreeCheckpointAsync(new GetTreeCheckpointRequest(), cancellationToken: Ct)).Cosignatures);
    }

    [Fact]
    public async Task A_witness_refuses_a_second_hub_that_signs_another_tree_of_the_same_size_with_the_same_log_key_and_keeps_both_as_evidence()
    {
        await AppendAsync(Hub, 12);
        var logKey = (await WaitForCheckpointAsync(Hub, 12)).VerifierKey;
        (await WitnessAsync()).Expect(0);
        var original = ReadState().GetProperty("root").GetString();

        await using var fork = await StartAsync(Path.Combine(Hub.Directory, "data", "keys", "tree-log.key"));
        await AppendAsync(fork, 12);
        Assert.Equal(logKey, (await WaitForCheckpointAsync(fork, 12)).VerifierKey);
        var certificates = fork.CertificateDirectory;

        var refused = (await WitnessAsync("--hub", fork.Address.ToString(), "--ca", Path.Combine(certificates, "ca.crt"), "--cert", Path.Combine(certificates, "group-lotus.crt"), "--key", Path.Combine(certificates, "group-lotus.key"))).Expect(7);

        Assert.Contains("fork: two different roots signed at tree size 12", refused.Error, StringComparison.Ordinal);
        Assert.Equal(original, ReadState().GetProperty("root").GetString());
        var evidence = await File.ReadAllTextAsync(StateFile + ".evidence", Ct);
        Assert.Equal(2, evidence.Split("\n\u2014 exchange.local/provision-log ").Length - 1);
        Assert.Empty((await Log(fork).GetTreeCheckpointAsync(new GetTreeCheckpointRequest(), cancellationToken: Ct)).Cosignatures);

        // Grown past the size seen, the fork fails its consistency proof instead.
        await AppendAsync(fork, 5);
        await WaitForCheckpointAsync(fork, 17);
        var inconsistent = (await WitnessAsync("--hub", fork.Address.ToString(), "--ca", Path.Combine(certificates, "ca.crt"), "--cert", Path.Combine(certificates, "group-lotus.crt"), "--key", Path.Combine(certificates, "group-lotus.key"))).Expect(7);
        Assert.Contains("is not consistent with the tree of size 12", inconsistent.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_witness_key_made_on_first_use_is_printed_and_the_hub_refuses_its_cosignature_until_the_operator_configures_it()
    {
        await AppendAsync(Hub, 3);
        var logKey = (await WaitForCheckpointAsync(Hub, 3)).VerifierKey;

        var run = (await RunAsAsync("group-lotus", "witness", "--once", "--log-key", logKey, "--witness-key", "new/witness.key", "--state", StateFile)).Expect(2);

        Assert.Contains("made a witness key in", run.Error, StringComparison.Ordinal);
        Assert.Contains("  witness/group-lotus+", run.Error, StringComparison.Ordinal);
        Assert.StartsWith("PRIVATE+KEY+witness/group-lotus+", await File.ReadAllTextAsync(InWorkingDirectory("new/witness.key"), Ct), StringComparison.Ordinal);
        Assert.Contains("INVALID_ARGUMENT: cosignature of tree size 3 refused", run.Error, StringComparison.Ordinal);
        // Recorded before it was submitted: the refused submission still left the tree it checked.
        Assert.Equal(3, ReadState().GetProperty("size").GetInt64());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(InWorkingDirectory("new/witness.key")));
        }
    }

    protected override async Task<TestHub> StartHubAsync()
    {
        var hub = await StartAsync(null);
        Directory.CreateDirectory(Path.Combine(hub.Directory, "cli"));
        await File.WriteAllTextAsync(Path.Combine(hub.Directory, "cli", "lotus-witness.key"), _witness.SignerKey, Ct);
        return hub;
    }

    private static ProvisionLog.ProvisionLogClient Log(TestHub hub) => new(hub.Channel("admin"));

    private Task<TestHub> StartAsync(string? logKeyFile) => TestHub.StartAsync(provider: provider, settings: new Dictionary<string, string?>
    {
        ["Exchange:TreeCheckpointInterval"] = "00:00:01",
        ["Exchange:TreeLog:KeyFile"] = logKeyFile,
        ["Exchange:TreeLog:Witnesses:0:Party"] = "group-lotus",
        ["Exchange:TreeLog:Witnesses:0:VerifierKey"] = _witness.VerifierKey,
        ["Exchange:TreeLog:Quorum"] = "1",
    });

    private Task<CliRun> WitnessAsync(params string[] args) =>
        RunAsync(["witness", "--once", "--log-key", LogKeyOf(Hub), "--witness-key", KeyFile, "--state", StateFile, .. args, .. (args.Length == 0 ? LotusCertificate() : [])]);

    private string[] LotusCertificate() => ["--cert", Path.Combine(Hub.CertificateDirectory, "group-lotus.crt"), "--key", Path.Combine(Hub.CertificateDirectory, "group-lotus.key")];

    private static string LogKeyOf(TestHub hub)
    {
        using var scope = hub.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<ProvisionTree>().VerifierKey;
    }

    private JsonElement ReadState() => JsonDocument.Parse(File.ReadAllText(StateFile)).RootElement.Clone();

    // Appends entries straight through the store.
    private static async Task AppendAsync(TestHub hub, int count)
    {
        await using var scope = hub.Services.CreateAsyncScope();
        var log = scope.ServiceProvider.GetRequiredService<IProvisionLogStore>();
        var facts = Enumerable.Range(0, count).Select(_ => new ProvisionFact(
            DateTimeOffset.UtcNow, "garage-kaminoyama", "group-lotus", null, null, ["contact.name"], "marketing", 1, new string('a', 64), "call_" + Guid.NewGuid().ToString("N"), ProvisionOutcome.Provided, null)).ToList();
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(ct => log.AppendAsync(facts, ct), Ct);
    }

    private static async Task<Contracts.V1.TreeCheckpoint> WaitForCheckpointAsync(TestHub hub, long size, bool exactly = false)
    {
        for (var i = 0; i < 200; i++)
        {
            try
            {
                var latest = await Log(hub).GetTreeCheckpointAsync(new GetTreeCheckpointRequest(), cancellationToken: Ct);
                if (exactly ? latest.TreeSize == size : latest.TreeSize >= size)
                {
                    return latest;
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"no checkpoint of size {size} within 20 s"));
    }
}

/// <summary>A witness key's two texts, made once per test class (so no key object outlives its use).</summary>
/// <param name="SignerKey">The signer key file's text.</param>
/// <param name="VerifierKey">The verifier key the operator configures.</param>
internal sealed record WitnessKey(string SignerKey, string VerifierKey)
{
    public static WitnessKey Create()
    {
        using var key = NoteKey.CreateWitness("witness.lotus.example");
        return new WitnessKey(key.SignerKey(), key.VerifierKey);
    }
}

/// <summary>Witnessing and partner verification over a hub on SQLite.</summary>
public sealed class WitnessCommandOnSqliteTests() : WitnessCommandTests(DatabaseProvider.Sqlite);

/// <summary>Witnessing and partner verification over a hub on PostgreSQL.</summary>
public sealed class WitnessCommandOnPostgresTests() : WitnessCommandTests(DatabaseProvider.Postgres);
