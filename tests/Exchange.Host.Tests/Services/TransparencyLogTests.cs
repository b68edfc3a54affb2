using System.Net;
using Exchange.Contracts.V1;
using Exchange.Domain;
using Exchange.Domain.Provisions;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Host.Tests.Interop;
using Exchange.Protocol.Client;
using Exchange.Storage;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace Exchange.Host.Tests.Services;

/// <summary>The provision log's Merkle tree as partners see it, checked with Go's sumdb/note and sumdb/tlog.</summary>
public abstract class TransparencyLogTests(DatabaseProvider provider) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly NoteKey _lotus = NoteKey.CreateWitness("witness.lotus.example");
    private readonly NoteKey _broadleaf = NoteKey.CreateWitness("witness.broadleaf.example");
    private TestHub? _hub;
    private HttpClient? _http;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestHub Hub => _hub!;

    public async ValueTask InitializeAsync()
    {
        _hub = await TestHub.StartAsync(_time, provider: provider, settings: new Dictionary<string, string?>
        {
            ["Exchange:TreeLog:Witnesses:0:Party"] = "group-lotus",
            ["Exchange:TreeLog:Witnesses:0:VerifierKey"] = _lotus.VerifierKey,
            ["Exchange:TreeLog:Witnesses:1:Party"] = "vendor-broadleaf",
            ["Exchange:TreeLog:Witnesses:1:VerifierKey"] = _broadleaf.VerifierKey,
            ["Exchange:TreeLog:Quorum"] = "2",
        });
        _http = new HttpClient(MutualTlsChannel.CreateHandler(null, Hub.TrustAnchors)) { BaseAddress = Hub.PublicAddress };
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        _lotus.Dispose();
        _broadleaf.Dispose();
        if (_hub is not null)
        {
            await _hub.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Checkpoints_every_minute_and_the_proofs_served_check_with_Gos_sumdb_and_our_own_verifier()
    {
        var key = await GetAsync("/log/key");
        var notes = new Dictionary<long, string>();
        foreach (var size in new[] { 1, 300, 600, 1300 })
        {
            await AppendThroughAsync(size);
            _time.Advance(TimeSpan.FromMinutes(1));
            notes[size] = (await WaitForCheckpointAsync(size)).Note;
            Assert.Equal(notes[size], await GetAsync("/log/checkpoint"));
        }

        // Nothing new: the next minute signs nothing.
        _time.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(200, Ct);
        Assert.Equal(1300, (await Log("group-lotus").GetTreeCheckpointAsync(new GetTreeCheckpointRequest(), cancellationToken: Ct)).TreeSize);

        var log = Log("vendor-broadleaf");
        var inclusion = new List<object>();
        foreach (var (sequence, size) in new[] { (1L, 1L), (1, 1300), (256, 1300), (257, 600), (600, 600), (1300, 1300), (777, 0) })
        {
            var proof = await log.ProveInclusionAsync(new ProveInclusionRequest { Sequence = sequence, TreeSize = size }, cancellationToken: Ct);
            inclusion.Add(new { note = notes[proof.TreeSize], index = sequence - 1, entry_hash = proof.EntryHash, proof = proof.Hashes.Select(h => h.ToBase64()).ToList() });
        }

        var consistency = new List<object>();
        foreach (var first in notes.Keys)
        {
            foreach (var second in notes.Keys.Where(s => s >= first))
            {
                var proof = await log.ProveConsistencyAsync(new ProveConsistencyRequest { FirstSize = first, SecondSize = second }, cancellationToken: Ct);
                consistency.Add(new { older = notes[first], newer = notes[second], proof = proof.Hashes.Select(h => h.ToBase64()).ToList() });
            }
        }

        // The same proof as plain text over HTTPS: sizes, then one base64 hash a line.
        var text = (await GetAsync("/log/proof/consistency?first=300&second=1300")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        consistency.Add(new { older = notes[300], newer = notes[1300], proof = text.Skip(2).ToList() });

        var verdicts = await GoTlog.CheckAsync(new { key, notes = notes.Values, inclusion, consistency });
        Assert.Equal(Enumerable.Repeat("ok", notes.Count + inclusion.Count + consistency.Count), verdicts);

        // Our own verifier, over many more size pairs than were signed.
        await using var scope = Hub.Services.CreateAsyncScope();
        var tree = scope.ServiceProvider.GetRequiredService<ProvisionTree>();
        for (var second = 1L; second <= 1300; second += 97)
        {
            var secondRoot = await tree.RootAsync(second, Ct);
            for (var first = 1L; first <= second; first += 41)
            {
                var proof = await log.ProveConsistencyAsync(new ProveConsistencyRequest { FirstSize = first, SecondSize = second }, cancellationToken: Ct);
                Assert.True(MerkleTree.VerifyConsistency(first, await tree.RootAsync(first, Ct), second, secondRoot, proof.Hashes.Select(h => h.ToByteArray()).ToList()), $"{first} → {second}");
            }
        }
    }

    [Fact]
    public async Task A_rewritten_entry_fails_its_inclusion_proof_against_the_checkpoint_signed_before()
    {
        await AppendThroughAsync(700);
        _time.Advance(TimeSpan.FromMinutes(1));
        var checkpoint = await WaitForCheckpointAsync(700);
        var key = await GetAsync("/log/key");

        // Rewritten with its hash recomputed, as someone covering their tracks would: its chain hash changes.
        Assert.Equal(1, await Hub.ExecuteSqlAsync("UPDATE provision_log SET entry_hash = {0} WHERE sequence = 300", new object[] { new byte[32] }));
        var proof = await Log("garage-kaminoyama").ProveInclusionAsync(new ProveInclusionRequest { Sequence = 300, TreeSize = 700 }, cancellationToken: Ct);
        var hashes = proof.Hashes.Select(h => h.ToByteArray()).ToList();

        Assert.False(MerkleTree.VerifyInclusion(299, 700, proof.LeafHash.ToByteArray(), hashes, checkpoint.RootHash.ToByteArray()));
        var verdict = Assert.Single(await GoTlog.CheckAsync(new { key, inclusion = new[] { new { note = checkpoint.Note, index = 299L, entry_hash = proof.EntryHash, proof = hashes.Select(Convert.ToBase64String).ToList() } } }));
        Assert.StartsWith("fail", verdict, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Witnesses_cosignatures_are_checked_stored_once_each_and_served_with_the_checkpoint_and_Go_verifies_them()
    {
        await AppendThroughAsync(5);
        _time.Advance(TimeSpan.FromMinutes(1));
        var checkpoint = await WaitForCheckpointAsync(5);
        var body = checkpoint.Note[..(checkpoint.Note.IndexOf("\n\n", StringComparison.Ordinal) + 1)];
        Assert.Equal((0, 2, false), (checkpoint.Cosignatures.Count, checkpoint.Quorum, checkpoint.QuorumMet));

        async Task RefusedAsync(string party, StatusCode code, string text, long size, string line)
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => Log(party).AddCosignatureAsync(new AddCosignatureRequest { TreeSize = size, Cosignature = line }, cancellationToken: Ct).ResponseAsync);
            Assert.Equal(code, e.StatusCode);
            Assert.Contains(text, e.Status.Detail, StringComparison.Ordinal);
        }

        var now = _time.GetUtcNow();
        await RefusedAsync("garage-kaminoyama", StatusCode.PermissionDenied, "not one of the provision log's witnesses", 5, _lotus.Cosign(body, now));
        await RefusedAsync("group-lotus", StatusCode.NotFound, "tree size 4", 4, _lotus.Cosign(body, now));
        await RefusedAsync("group-lotus", StatusCode.InvalidArgument, "tree_size must be positive", -1, _lotus.Cosign(body, now));
        await RefusedAsync("group-lotus", StatusCode.InvalidArgument, "a cosignature is a line", 5, "— witness.lotus.example AAAA");
        await RefusedAsync("group-lotus", StatusCode.InvalidArgument, "a cosignature is a line", 5, _broadleaf.Cosign(body, now));
        await RefusedAsync("group-lotus", StatusCode.InvalidArgument, "does not verify", 5, _lotus.Cosign(body.Replace("\n5\n", "\n6\n", StringComparison.Ordinal), now));
        await RefusedAsync("group-lotus", StatusCode.InvalidArgument, "ahead of the hub's clock", 5, _lotus.Cosign(body, now.AddHours(1)));

        var first = _lotus.Cosign(body, now);
        var once = await Log("group-lotus").AddCosignatureAsync(new AddCosignatureRequest { TreeSize = 5, Cosignature = first }, cancellationToken: Ct);
        Assert.Equal((1, false), (once.Cosignatures.Count, once.QuorumMet));
        Assert.Equal(("group-lotus", first, _lotus.VerifierKey), (once.Cosignatures[0].Witness, once.Cosignatures[0].Line, once.Cosignatures[0].VerifierKey));

        // Again, later: the first stays, and is the only one of this witness.
        var again = await Log("group-lotus").AddCosignatureAsync(new AddCosignatureRequest { TreeSize = 5, Cosignature = _lotus.Cosign(body, now.AddSeconds(30)) }, cancellationToken: Ct);
        Assert.Equal(first, Assert.Single(again.Cosignatures).Line);

        var both = await Log("vendor-broadleaf").AddCosignatureAsync(new AddCosignatureRequest { TreeSize = 5, Cosignature = _broadleaf.Cosign(body, now) }, cancellationToken: Ct);
        Assert.Equal((2, true), (both.Cosignatures.Count, both.QuorumMet));
        Assert.Equal(both.Note, (await Log("garage-kaminoyama").GetTreeCheckpointAsync(new GetTreeCheckpointRequest { TreeSize = 5 }, cancellationToken: Ct)).Note);

        using var response = await _http!.GetAsync(new Uri("/log/checkpoint", UriKind.Relative), Ct);
        var served = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(both.Note, served);
        Assert.StartsWith(checkpoint.Note, served, StringComparison.Ordinal);
        Assert.Equal(("2", "2", "true"), (response.Headers.GetValues("Log-Cosignatures").Single(), response.Headers.GetValues("Log-Witness-Quorum").Single(), response.Headers.GetValues("Log-Witness-Quorum-Met").Single()));

        // Go: the log's signature still opens the cosigned note; each cosignature verifies; a witness that did not cosign is not found.
        using var stranger = NoteKey.CreateWitness("witness.stranger.example");
        var key = await GetAsync("/log/key");
        var verdicts = await GoTlog.CheckAsync(new
        {
            key,
            notes = new[] { served },
            cosignatures = new[] { new { witness = _lotus.VerifierKey, note = served }, new { witness = _broadleaf.VerifierKey, note = served }, new { witness = stranger.VerifierKey, note = served } },
        });
        Assert.Equal(["ok", "ok", "ok"], verdicts.Take(3));
        Assert.StartsWith("fail: no cosignature", verdicts[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entries_are_proved_together_against_one_cosigned_checkpoint_for_a_persons_report()
    {
        await AppendThroughAsync(600);
        _time.Advance(TimeSpan.FromMinutes(1));
        var checkpoint = await WaitForCheckpointAsync(600);
        var body = checkpoint.Note[..(checkpoint.Note.IndexOf("\n\n", StringComparison.Ordinal) + 1)];
        await Log("group-lotus").AddCosignatureAsync(new AddCosignatureRequest { TreeSize = 600, Cosignature = _lotus.Cosign(body, _time.GetUtcNow()) }, cancellationToken: Ct);
        await Log("vendor-broadleaf").AddCosignatureAsync(new AddCosignatureRequest { TreeSize = 600, Cosignature = _broadleaf.Cosign(body, _time.GetUtcNow()) }, cancellationToken: Ct);
        await AppendThroughAsync(700);

        await using var scope = Hub.Services.CreateAsyncScope();
        var (cosigned, proofs) = await scope.ServiceProvider.GetRequiredService<ProvisionTree>().ProveInclusionsAsync([1, 255, 256, 257, 600], 0, Ct);

        Assert.Equal((600, true), (cosigned.Checkpoint.Size, cosigned.QuorumMet));
        Assert.NotNull(NoteKey.Open(cosigned.Note, checkpoint.VerifierKey));
        Assert.Equal([1L, 255, 256, 257, 600], proofs.Select(p => p.Sequence));
        Assert.All(proofs, p => Assert.True(MerkleTree.VerifyInclusion(p.Sequence - 1, 600, MerkleTree.EntryLeafHash(p.EntryHash), p.Hashes, cosigned.Checkpoint.RootHash), $"entry {p.Sequence}"));
        await Assert.ThrowsAsync<ExchangeException>(() => scope.ServiceProvider.GetRequiredService<ProvisionTree>().ProveInclusionsAsync([601], 600, Ct));
    }

    [Fact]
    public async Task Numbers_outside_the_tree_are_refused_at_the_edge_with_a_message_naming_them()
    {
        var log = Log("group-lotus");
        Assert.Equal(StatusCode.FailedPrecondition, (await Assert.ThrowsAsync<RpcException>(() => log.GetTreeCheckpointAsync(new GetTreeCheckpointRequest(), cancellationToken: Ct).ResponseAsync)).StatusCode);
        await AppendThroughAsync(10);
        _time.Advance(TimeSpan.FromMinutes(1));
        await WaitForCheckpointAsync(10);

        async Task RefusedAsync(StatusCode code, string text, Func<Task> call) =>
            Assert.Contains(text, (await Assert.ThrowsAsync<RpcException>(call)).Status.Detail, StringComparison.Ordinal);
        await RefusedAsync(StatusCode.InvalidArgument, "sequence must be set", () => log.ProveInclusionAsync(new ProveInclusionRequest(), cancellationToken: Ct).ResponseAsync);
        await RefusedAsync(StatusCode.OutOfRange, "sequence 11 is not in the tree of size 10", () => log.ProveInclusionAsync(new ProveInclusionRequest { Sequence = 11 }, cancellationToken: Ct).ResponseAsync);
        await RefusedAsync(StatusCode.OutOfRange, "tree_size 11 is larger than the log", () => log.ProveInclusionAsync(new ProveInclusionRequest { Sequence = 1, TreeSize = 11 }, cancellationToken: Ct).ResponseAsync);
        await RefusedAsync(StatusCode.InvalidArgument, "first_size 5 is larger than second_size 4", () => log.ProveConsistencyAsync(new ProveConsistencyRequest { FirstSize = 5, SecondSize = 4 }, cancellationToken: Ct).ResponseAsync);
        await RefusedAsync(StatusCode.InvalidArgument, "must be positive", () => log.ProveConsistencyAsync(new ProveConsistencyRequest { FirstSize = -1 }, cancellationToken: Ct).ResponseAsync);
        await RefusedAsync(StatusCode.NotFound, "no checkpoint is signed over tree size 4", () => log.GetTreeCheckpointAsync(new GetTreeCheckpointRequest { TreeSize = 4 }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(HttpStatusCode.BadRequest, (await _http!.GetAsync(new Uri("/log/proof/inclusion?sequence=1e3", UriKind.Relative), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http!.GetAsync(new Uri("/log/proof/inclusion?sequence=11", UriKind.Relative), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http!.GetAsync(new Uri("/log/proof/consistency?first=0", UriKind.Relative), Ct)).StatusCode);
    }

    private ProvisionLog.ProvisionLogClient Log(string party) => new(Hub.Channel(party));

    private async Task<string> GetAsync(string path)
    {
        using var response = await _http!.GetAsync(new Uri(path, UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    // Appends entries straight through the store until the log holds `size`.
    private async Task AppendThroughAsync(long size)
    {
        await using var scope = Hub.Services.CreateAsyncScope();
        var log = scope.ServiceProvider.GetRequiredService<IProvisionLogStore>();
        var head = (await log.HeadAsync(Ct))?.Sequence ?? 0;
        var facts = Enumerable.Range((int)head, (int)(size - head)).Select(i => new ProvisionFact(
            _time.GetUtcNow(), "garage-kaminoyama", "group-lotus", null, null, ["contact.name"], "marketing", 1, new string('a', 64), "call_" + i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture), ProvisionOutcome.Provided, null)).ToList();
        await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(ct => log.AppendAsync(facts, ct), Ct);
    }

    private async Task<Contracts.V1.TreeCheckpoint> WaitForCheckpointAsync(long size)
    {
        var log = Log("admin");
        for (var i = 0; i < 200; i++)
        {
            try
            {
                var latest = await log.GetTreeCheckpointAsync(new GetTreeCheckpointRequest(), cancellationToken: Ct);
                if (latest.TreeSize >= size)
                {
                    return latest;
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
            }

            // The service's timer may have been made after the test moved the clock (its loop starts on
            // another thread): another minute reaches it; a checkpoint is made only when the log grew.
            if (i % 20 == 19)
            {
                _time.Advance(TimeSpan.FromMinutes(1));
            }

            await Task.Delay(50, Ct);
        }

        throw new TimeoutException($"no checkpoint of size {size} within 10 s");
    }
}

/// <summary>The transparency log on a real SQLite file.</summary>
public sealed class TransparencyLogOnSqliteTests() : TransparencyLogTests(DatabaseProvider.Sqlite);

/// <summary>The transparency log on a real PostgreSQL database.</summary>
public sealed class TransparencyLogOnPostgresTests() : TransparencyLogTests(DatabaseProvider.Postgres);
