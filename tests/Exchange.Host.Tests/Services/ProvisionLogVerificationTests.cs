using System.Buffers.Text;
using Exchange.Contracts.V1;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Protocol.Server;
using Exchange.Storage;
using Grpc.Core;

namespace Exchange.Host.Tests.Services;

/// <summary>Incremental Verify from the last verified checkpoint, and the full walk that streams progress and resumes.</summary>
public abstract class ProvisionLogVerificationTests(DatabaseProvider provider) : IAsyncLifetime
{
    private readonly EntriesRead _read = new();
    private TestHub _hub = null!;
    private int _customers;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ProvisionLog.ProvisionLogClient Admin => new(_hub.Channel("admin"));

    public async ValueTask InitializeAsync() => _hub = await TestHub.StartAsync(configure: _read.CountIn, provider: provider);

    public async ValueTask DisposeAsync()
    {
        if (_hub is not null)
        {
            await _hub.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Incremental_verify_reads_the_entries_since_the_last_verified_checkpoint_however_long_the_log()
    {
        var costs = new List<long>();
        foreach (var grown in new[] { 20, 300 })
        {
            await AppendAsync(grown);
            var checkpoint = await Admin.CheckpointAsync(new CheckpointRequest(), cancellationToken: Ct);
            Assert.True((await VerifyAsync()).Intact);
            await AppendAsync(7);

            _read.Reset();
            var result = await VerifyAsync();

            Assert.True(result.Intact, result.Problem);
            Assert.Equal((false, checkpoint.Sequence, checkpoint.Sequence + 7), (result.Full, result.FromSequence, result.ThroughSequence));
            Assert.Equal((7L, 1L, checkpoint.Sequence, 7L), (result.EntriesChecked, result.CheckpointsChecked, result.VouchedThrough, result.UnvouchedEntries));
            Assert.NotNull(result.PrefixVerifiedAt);
            costs.Add(_read.Count);
        }

        // The checkpoint's own entry, read again to check its hash, and the seven after it.
        Assert.Equal([8L, 8L], costs);
    }

    [Fact]
    public async Task First_verify_without_a_verified_checkpoint_walks_the_whole_chain()
    {
        await AppendAsync(12);
        await Admin.CheckpointAsync(new CheckpointRequest(), cancellationToken: Ct);

        var result = await VerifyAsync();

        Assert.True(result.Intact, result.Problem);
        Assert.Equal((true, 1L, 12L, 12L, 12L), (result.Full, result.FromSequence, result.ThroughSequence, result.EntriesChecked, _read.Count));
        Assert.Null(result.PrefixVerifiedAt);
    }

    [Fact]
    public async Task Tampering_after_the_verified_checkpoint_is_caught_by_the_incremental_verify()
    {
        await VerifiedCheckpointAfterAsync(10);
        await AppendAsync(5);
        await _hub.RestateEntryAsync(13, "purpose = 'recall'");

        var result = await VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal((false, 13L), (result.Full, result.FirstBrokenSequence));
        Assert.Contains("entry 13 was altered", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Altering_the_verified_checkpoints_own_entry_is_caught_by_the_incremental_verify()
    {
        await VerifiedCheckpointAfterAsync(10);
        await AppendAsync(3);
        await _hub.RestateEntryAsync(10, "purpose = 'recall'");

        var result = await VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(10, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Tampering_before_the_verified_checkpoint_is_left_to_the_full_walk_which_catches_it()
    {
        await VerifiedCheckpointAfterAsync(10);
        await AppendAsync(3);
        await _hub.RestateEntryAsync(4, "purpose = 'recall'");

        var incremental = await VerifyAsync();
        var full = await WalkAsync(new VerifyFullRequest());

        // What docs/verification.md says incremental verification cannot see.
        Assert.True(incremental.Intact, incremental.Problem);
        Assert.False(full.Result.Intact);
        Assert.Equal((true, 4L), (full.Result.Full, full.Result.FirstBrokenSequence));
    }

    [Fact]
    public async Task Verification_note_the_hub_did_not_sign_cannot_move_verification_past_tampering()
    {
        await VerifiedCheckpointAfterAsync(10);
        await AppendAsync(3);
        await _hub.RestateEntryAsync(12, "purpose = 'recall'");
        var later = await Admin.CheckpointAsync(new CheckpointRequest(), cancellationToken: Ct);
        await ExecuteSqlAsync(
            "INSERT INTO provision_log_verifications (sequence, entry_hash, verified_at, signature) VALUES ({0}, {1}, {2}, {3})",
            later.Sequence, later.EntryHash, DateTimeOffset.UtcNow.UtcTicks, new byte[64]);

        var result = await VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal((true, 12L), (result.Full, result.FirstBrokenSequence));
    }

    [Fact]
    public async Task Removing_entries_from_the_verified_checkpoint_on_is_caught_by_the_incremental_verify()
    {
        await VerifiedCheckpointAfterAsync(10);
        await ExecuteSqlAsync("DELETE FROM provision_log WHERE sequence >= 9");

        var result = await VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(9, result.FirstBrokenSequence);
        Assert.Contains("entries were removed", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Full_walk_streams_progress_then_the_result()
    {
        await AppendAsync(25);
        await Admin.CheckpointAsync(new CheckpointRequest(), cancellationToken: Ct);

        var walk = await WalkAsync(new VerifyFullRequest { ProgressEveryEntries = 10 });

        Assert.Equal([10L, 20L], walk.Progress.Select(p => p.ThroughSequence));
        Assert.All(walk.Progress, p => Assert.Equal((25L, true), (p.HeadSequence, p.EntriesPerSecond > 0)));
        Assert.True(walk.Result.Intact, walk.Result.Problem);
        Assert.Equal((true, 1L, 25L, 25L, 1L, 25L), (walk.Result.Full, walk.Result.FromSequence, walk.Result.ThroughSequence, walk.Result.EntriesChecked, walk.Result.CheckpointsChecked, walk.Result.VouchedThrough));
        Assert.Equal(25, _read.Count);
    }

    [Fact]
    public async Task Full_walk_cut_short_resumes_from_its_last_token_and_reads_only_the_rest()
    {
        await AppendAsync(14);
        await Admin.CheckpointAsync(new CheckpointRequest(), cancellationToken: Ct);
        await AppendAsync(16);

        VerifyProgress last;
        using (var cut = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            using var call = Admin.VerifyFull(new VerifyFullRequest { ProgressEveryEntries = 4 }, cancellationToken: cut.Token);
            Assert.True(await call.ResponseStream.MoveNext(Ct));
            Assert.True(await call.ResponseStream.MoveNext(Ct));
            last = call.ResponseStream.Current.Progress;
            await cut.CancelAsync();
        }

        // The cut walk's handler may still be reading its page when the caller has gone: count only the resumed walk's reads.
        var calls = _hub.Services.GetRequiredService<CallConcurrencyLimit>();
        for (var waited = 0; calls.InFlight > 0 && waited < 10_000; waited += 10)
        {
            await Task.Delay(10, Ct);
        }

        _read.Reset();
        var resumed = await WalkAsync(new VerifyFullRequest { ResumeToken = last.ResumeToken, ProgressEveryEntries = 4 });

        Assert.Equal(8, last.ThroughSequence);
        Assert.True(resumed.Result.Intact, resumed.Result.Problem);
        Assert.Equal((true, 8L, 30L, 30L), (resumed.Result.Full, resumed.Result.FromSequence, resumed.Result.ThroughSequence, resumed.Result.EntriesChecked));
        Assert.Equal((1L, 14L), (resumed.Result.CheckpointsChecked, resumed.Result.VouchedThrough));
        Assert.NotNull(resumed.Result.PrefixVerifiedAt);
        Assert.Equal([12L, 16L, 20L, 24L, 28L], resumed.Progress.Select(p => p.ThroughSequence));
        Assert.Equal(30 - 8 + 1, _read.Count);
    }

    [Fact]
    public async Task Resumed_walk_still_catches_tampering_after_its_token()
    {
        await AppendAsync(12);
        var token = (await WalkAsync(new VerifyFullRequest { ProgressEveryEntries = 5 })).Progress[0].ResumeToken;
        await _hub.RestateEntryAsync(5, "purpose = 'recall'");

        var resumed = await WalkAsync(new VerifyFullRequest { ResumeToken = token });

        Assert.False(resumed.Result.Intact);
        Assert.Equal(5, resumed.Result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Forged_resume_tokens_are_refused_as_invalid_arguments()
    {
        await AppendAsync(12);
        var genuine = Base64Url.DecodeFromChars((await WalkAsync(new VerifyFullRequest { ProgressEveryEntries = 5 })).Progress[0].ResumeToken);
        var skipAhead = (byte[])genuine.Clone();
        skipAhead[8] = 11;
        var forged = new[]
        {
            Base64Url.EncodeToString(skipAhead),
            Base64Url.EncodeToString(genuine[..^1]),
            Base64Url.EncodeToString(genuine.AsSpan(0, 113)),
            "not a token!",
            new string('A', 100_000),
        };

        foreach (var token in forged)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => WalkAsync(new VerifyFullRequest { ResumeToken = token }));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        }
    }

    [Fact]
    public async Task Only_administrators_walk_the_chain()
    {
        var lotus = new ProvisionLog.ProvisionLogClient(_hub.Channel("group-lotus"));

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = lotus.VerifyFull(new VerifyFullRequest(), cancellationToken: Ct);
            await call.ResponseStream.MoveNext(Ct);
        });

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    private async Task AppendAsync(int entries)
    {
        var batch = new PutCustomersRequest { Purpose = "after-sales" };
        batch.Records.AddRange(Enumerable.Range(0, entries).Select(_ => Sample.Customer($"V{++_customers:D4}")));
        await new Records.RecordsClient(_hub.Channel("garage-kaminoyama")).PutCustomersAsync(batch, cancellationToken: Ct);
    }

    // A log of `entries` entries, a checkpoint over its last one, and a verification that found it intact.
    private async Task VerifiedCheckpointAfterAsync(int entries)
    {
        await AppendAsync(entries);
        await Admin.CheckpointAsync(new CheckpointRequest(), cancellationToken: Ct);
        var verified = await VerifyAsync();
        Assert.True(verified.Intact, verified.Problem);
    }

    private async Task<VerifyResponse> VerifyAsync() => await Admin.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);

    private async Task<(List<VerifyProgress> Progress, VerifyResponse Result)> WalkAsync(VerifyFullRequest request)
    {
        using var call = Admin.VerifyFull(request, cancellationToken: Ct);
        var progress = new List<VerifyProgress>();
        await foreach (var message in call.ResponseStream.ReadAllAsync(Ct))
        {
            if (message.KindCase == VerifyFullResponse.KindOneofCase.Result)
            {
                return (progress, message.Result);
            }

            progress.Add(message.Progress);
        }

        throw new InvalidOperationException("the walk ended without a result");
    }

    private async Task ExecuteSqlAsync(string sql, params object[] parameters) =>
        Assert.True(await _hub.ExecuteSqlAsync(sql, parameters) > 0, $"'{sql}' changed nothing");
}

/// <summary>Verification on SQLite.</summary>
public sealed class ProvisionLogVerificationOnSqliteTests() : ProvisionLogVerificationTests(DatabaseProvider.Sqlite);

/// <summary>Verification on PostgreSQL.</summary>
public sealed class ProvisionLogVerificationOnPostgresTests() : ProvisionLogVerificationTests(DatabaseProvider.Postgres);
