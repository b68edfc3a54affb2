using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage.Stores;
using Grpc.Core;
using Exchange.Storage;

namespace Exchange.Host.Tests.Services;

public abstract class ProvisionLogServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestHub _hub = null!;

    private protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        // One party runs 200 reads at once below: its share of calls must not refuse them.
        _hub = await TestHub.StartAsync(settings: new Dictionary<string, string?> { ["Exchange:MaxConcurrentCallsPerParty"] = "512" }, provider: provider);
        var garage = new Records.RecordsClient(_hub.Channel("garage-kaminoyama"));
        var lotus = new Records.RecordsClient(_hub.Channel("group-lotus"));
        foreach (var customer in new[] { "C001", "C002", "C003" })
        {
            await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Sample.Customer(customer) }, cancellationToken: Ct);
        }

        await lotus.GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = "garage-kaminoyama", CustomerRef = "C002", Items = { "contact" } }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_hub is not null)
        {
            await _hub.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private protected ProvisionLog.ProvisionLogClient Admin => new(_hub.Channel("admin"));

    private protected TestHub Hub => _hub;

    private protected async Task ExecuteSqlAsync(string sql, params object[] parameters) =>
        Assert.True(await _hub.ExecuteSqlAsync(sql, parameters) > 0, $"'{sql}' changed nothing");

    [Fact]
    public async Task Untouched_chain_verifies_with_its_signed_checkpoint()
    {
        await _hub.Services.GetRequiredService<ProvisionSubjectIndexer>().IndexPendingAsync(Ct);
        var checkpoint = await Admin.CheckpointAsync(new CheckpointRequest(), cancellationToken: Ct);
        var result = await Admin.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);

        Assert.Equal(4, checkpoint.Sequence);
        Assert.True(result.Intact, result.Problem);
        Assert.Equal((4L, 1L, 0L), (result.EntriesChecked, result.CheckpointsChecked, result.FirstBrokenSequence));
    }

    [Fact]
    public async Task Concurrent_reads_refusals_and_a_batch_write_each_leave_their_entries_on_one_unbroken_chain()
    {
        // Reads and refusals are committed in groups by one writer while a batch commits its own
        // entries with its data: the chain must come out whole, with every call's entries.
        var readers = Enumerable.Range(0, 4).Select(_ => new Records.RecordsClient(_hub.Channel("group-lotus"))).ToArray();
        var vendor = new Records.RecordsClient(_hub.Channel("vendor-broadleaf"));
        var batch = new PutCustomersRequest { Purpose = "after-sales" };
        batch.Records.AddRange(Enumerable.Range(0, 50).Select(i => Sample.Customer($"B{i:D3}")));

        var reads = Enumerable.Range(0, 200).Select(i => readers[i % readers.Length]
            .GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = "garage-kaminoyama", CustomerRef = $"C00{1 + (i % 3)}", Items = { "contact" } }, cancellationToken: Ct).ResponseAsync);
        var refusals = Enumerable.Range(0, 20).Select(async _ =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => vendor.GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = "garage-kaminoyama", CustomerRef = "C001", Items = { "contact" } }, cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        });
        var write = new Records.RecordsClient(_hub.Channel("garage-kaminoyama")).PutCustomersAsync(batch, cancellationToken: Ct).ResponseAsync;
        await Task.WhenAll(reads.Cast<Task>().Concat(refusals).Append(write));

        var result = await Admin.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);
        Assert.True(result.Intact, result.Problem);
        Assert.Equal(4 + 200 + 20 + 50, result.EntriesChecked);
    }

    [Fact]
    public async Task Altering_one_stored_entry_is_pinpointed()
    {
        await _hub.RestateEntryAsync(2, "purpose = 'recall'");

        var result = await Admin.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);

        Assert.False(result.Intact);
        Assert.Equal(2, result.FirstBrokenSequence);
        Assert.Contains("entry 2 was altered", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rewriting_an_entry_together_with_its_hash_breaks_the_next_link()
    {
        var entries = await _hub.ReadAllAsync();
        var forged = entries[1].Fact with { Recipient = "someone-else" };
        var forgedHash = ProvisionChain.Hash(2, forged, entries[1].PreviousHash);
        await _hub.RestateEntryAsync(2, "recipient = 'someone-else'");
        await ExecuteSqlAsync("UPDATE provision_log SET entry_hash = {0} WHERE sequence = 2", Convert.FromHexString(forgedHash));

        var result = await Admin.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);

        Assert.False(result.Intact);
        Assert.Equal(3, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Removing_entries_vouched_for_by_a_checkpoint_is_detected()
    {
        await Admin.CheckpointAsync(new CheckpointRequest(), cancellationToken: Ct);
        await ExecuteSqlAsync("DELETE FROM provision_log WHERE sequence = 4");

        var result = await Admin.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);

        Assert.False(result.Intact);
        Assert.Equal(4, result.FirstBrokenSequence);
        Assert.Contains("entries were removed", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_the_end_of_the_chain_with_its_lookup_rows_is_detected()
    {
        Assert.True((await Admin.VerifyAsync(new VerifyRequest(), cancellationToken: Ct)).Intact);
        await _hub.Services.GetRequiredService<ProvisionSubjectIndexer>().IndexPendingAsync(Ct);
        await ExecuteSqlAsync("DELETE FROM provision_log WHERE sequence >= 3");
        // Rows on SQLite only: on PostgreSQL the lookup by person is an index on the log.
        await _hub.ExecuteSqlAsync("DELETE FROM provision_log_subjects WHERE sequence >= 3");

        var result = await Admin.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);

        Assert.False(result.Intact);
        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Equal("the chain ends at entry 2, but the lookup by person's watermark refers to entry 4: entries were removed from its end", result.Problem);
    }

    [Fact]
    public async Task Entries_no_checkpoint_signs_over_are_counted_as_unvouched()
    {
        await Admin.CheckpointAsync(new CheckpointRequest(), cancellationToken: Ct);
        await new Records.RecordsClient(_hub.Channel("group-lotus")).GetCustomerAsync(new GetCustomerRequest { Purpose = "marketing", OwnerParty = "garage-kaminoyama", CustomerRef = "C001", Items = { "contact" } }, cancellationToken: Ct);

        var after = await Admin.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);
        await ExecuteSqlAsync("DELETE FROM provision_log_checkpoints");
        var withoutCheckpoints = await Admin.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);

        Assert.True(after.Intact, after.Problem);
        Assert.Equal((5L, 4L, 1L), (after.EntriesChecked, after.VouchedThrough, after.UnvouchedEntries));
        Assert.Equal((0L, 5L), (withoutCheckpoints.VouchedThrough, withoutCheckpoints.UnvouchedEntries));
    }

    [Fact]
    public async Task Forged_checkpoint_signature_is_detected()
    {
        await Admin.CheckpointAsync(new CheckpointRequest(), cancellationToken: Ct);
        await ExecuteSqlAsync("UPDATE provision_log_checkpoints SET signature = {0}", new byte[] { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01 });

        var result = await Admin.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);

        Assert.False(result.Intact);
        Assert.Contains("checkpoint", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_administrators_verify_the_chain()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => new ProvisionLog.ProvisionLogClient(_hub.Channel("group-lotus")).VerifyAsync(new VerifyRequest(), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Owning_garage_reads_who_received_its_customers_data_without_any_values()
    {
        var garage = new ProvisionLog.ProvisionLogClient(_hub.Channel("garage-kaminoyama"));

        var entries = (await garage.ListForCustomerAsync(new ListForCustomerRequest { OwnerParty = "garage-kaminoyama", CustomerRef = "C002" }, cancellationToken: Ct)).Entries;

        Assert.Equal(2, entries.Count);
        Assert.Equal((ProvisionOutcome.Received, "hub"), (entries[0].Outcome, entries[0].Recipient));
        Assert.Equal((ProvisionOutcome.Provided, "group-lotus", "marketing"), (entries[1].Outcome, entries[1].Recipient, entries[1].Purpose));
        Assert.All(entries, e => Assert.StartsWith("sub_", e.SubjectId, StringComparison.Ordinal));
        Assert.DoesNotContain("山田", entries.ToString(), StringComparison.Ordinal);

        var other = await Assert.ThrowsAsync<RpcException>(() => new ProvisionLog.ProvisionLogClient(_hub.Channel("group-lotus")).ListForCustomerAsync(new ListForCustomerRequest { OwnerParty = "garage-kaminoyama", CustomerRef = "C002" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
    }
}

/// <summary>The provision log's service on SQLite, whose lookup by person is a table verification checks against the chain.</summary>
public sealed class ProvisionLogServiceOnSqliteTests() : ProvisionLogServiceTests(DatabaseProvider.Sqlite)
{
    [Theory]
    [InlineData("DELETE FROM provision_log_subjects WHERE sequence = 2", 2)]
    [InlineData("UPDATE provision_log_subjects SET subject_id = (SELECT subject_id FROM provision_log WHERE sequence = 1) WHERE sequence = 3", 3)]
    [InlineData("INSERT INTO provision_log_subjects (subject_id, sequence) SELECT subject_id, 4 FROM provision_log WHERE sequence = 1", 4)]
    public async Task Tampering_with_the_lookup_by_person_is_pinpointed_though_the_chain_is_whole(string sql, long sequence)
    {
        await Hub.Services.GetRequiredService<ProvisionSubjectIndexer>().IndexPendingAsync(Ct);
        await ExecuteSqlAsync(sql);

        var result = await Admin.VerifyAsync(new VerifyRequest(), cancellationToken: Ct);

        Assert.False(result.Intact);
        Assert.Equal((4L, sequence), (result.EntriesChecked, result.FirstBrokenSequence));
        Assert.Contains($"the lookup by person disagrees with entry {sequence}", result.Problem, StringComparison.Ordinal);
    }
}

/// <summary>The provision log's service on PostgreSQL.</summary>
public sealed class ProvisionLogServiceOnPostgresTests() : ProvisionLogServiceTests(DatabaseProvider.Postgres);
