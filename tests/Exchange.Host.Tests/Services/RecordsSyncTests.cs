using Exchange.Contracts.V1;
using Exchange.Domain.Records;
using Microsoft.EntityFrameworkCore;
using Exchange.Host.Tests.Infrastructure;
using Exchange.Storage;
using Grpc.Core;
using Grpc.Net.Client;

namespace Exchange.Host.Tests.Services;

/// <summary>
/// Issue 20, point 1: a vendor streams upserts and deletions for the garages that authorised it.
/// Each change is checked and recorded as its unary call would be, applied exactly once and
/// acknowledged in order once durable, across a cut connection, a restart and a second instance.
/// </summary>
public abstract class RecordsSyncTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Garage = "garage-kaminoyama";
    private const string Zao = "garage-zao";
    private const string Vendor = "vendor-broadleaf";
    private readonly List<IDisposable> _disposables = [];
    private TestHub _hub = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _hub = await TestHub.StartAsync(provider: provider);
        var admin = Channel(_hub, "admin");
        await admin.AddPartyAsync(Zao);
    }

    public async ValueTask DisposeAsync()
    {
        _disposables.ForEach(d => d.Dispose());
        await _hub.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Ten_thousand_changes_cut_mid_stream_and_resumed_after_a_restart_are_each_applied_once_with_one_entry_each()
    {
        const int Changes = 10_000;
        await AuthoriseAsync(Garage);
        await AuthoriseAsync(Zao);
        var before = (await _hub.ReadAllAsync()).Count;

        // The stream runs through a second instance on the same database, stopped after the cut and started again.
        var instance = await SecondInstanceAsync();
        string syncId;
        long acknowledgedBeforeCut;
        try
        {
            using var cut = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            using var sync = await SyncClient.OpenAsync(Records(instance, Vendor), cancellationToken: Ct);
            syncId = sync.Opened.SyncId;
            Assert.Equal(0, sync.Opened.AcknowledgedSequence);
            var sending = Task.Run(
                async () =>
                {
                    for (var s = 1; s <= Changes; s++)
                    {
                        await sync.SendAsync(ChangeOf(s));
                    }
                },
                cut.Token);
            acknowledgedBeforeCut = 0;
            while (acknowledgedBeforeCut < 3_000 && await sync.NextAckAsync(Ct) is { } ack)
            {
                Assert.Equal(acknowledgedBeforeCut + 1, ack.Results[0].Sequence);
                acknowledgedBeforeCut = ack.ThroughSequence;
            }

            await cut.CancelAsync();
            sync.Dispose();
            await Assert.ThrowsAnyAsync<Exception>(() => sending);
            Assert.True(acknowledgedBeforeCut < Changes, "the cut came after the last change: flow control let the whole stream through unacknowledged");
        }
        finally
        {
            await instance.DisposeAsync();
        }

        var restarted = await SecondInstanceAsync();
        try
        {
            using var resumed = await SyncClient.OpenAsync(Records(restarted, Vendor), syncId, cancellationToken: Ct);
            var durable = resumed.Opened.AcknowledgedSequence;
            Assert.InRange(durable, acknowledgedBeforeCut, Changes - 1);

            // Re-sends a hundred changes the client saw acknowledged, and whatever committed unseen after them.
            var from = acknowledgedBeforeCut - 99;
            var sending = Task.Run(
                async () =>
                {
                    for (var s = from; s <= Changes; s++)
                    {
                        await resumed.SendAsync(ChangeOf(s));
                    }

                    await resumed.CompleteAsync();
                },
                Ct);
            var results = await resumed.AllAcksAsync(Ct);
            await sending;
            Assert.Equal(Enumerable.Range((int)from, Changes - (int)from + 1).Select(s => (long)s), results.Select(r => r.Sequence));
            Assert.All(results.Where(r => r.Sequence <= durable), r => Assert.Equal(SyncOutcome.Duplicate, r.Outcome));
            Assert.All(results.Where(r => r.Sequence > durable), r => Assert.Equal(ExpectedOutcome(r.Sequence), r.Outcome));
        }
        finally
        {
            await restarted.DisposeAsync();
        }

        // One entry per applied change, and the records as the changes left them.
        var entries = (await _hub.ReadAllAsync()).Skip(before).Select(e => e.Fact).ToList();
        Assert.Equal(Changes, entries.Count);
        Assert.Equal(Changes / 10, entries.Count(e => e.Outcome == ProvisionOutcome.Deleted));
        Assert.Equal(Changes - (Changes / 10), entries.Count(e => e.Outcome == ProvisionOutcome.Received));
        Assert.All(entries, e => Assert.Equal((Vendor, "hub"), (e.Agent, e.Recipient)));
        var perSubject = entries.GroupBy(e => e.SubjectId!).ToDictionary(g => g.Key, g => g.Count());
        var expectedPerSubject = Enumerable.Range(1, Changes).GroupBy(s => SubjectKey(ChangeOf(s))).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expectedPerSubject.Count, perSubject.Count);
        Assert.Equal(expectedPerSubject.Values.Order(), perSubject.Values.Order());
        Assert.True((await new ProvisionLog.ProvisionLogClient(Channel(_hub, "admin")).VerifyAsync(new VerifyRequest(), cancellationToken: Ct)).Intact);

        var created = Enumerable.Range(1, Changes).Count(s => s % 10 is not 0 and not 5);
        Assert.Equal(created - (Changes / 10), await CountAsync("SELECT COUNT(*) FROM customers"));
        Assert.Equal(created - (Changes / 10), await CountAsync("SELECT COUNT(*) FROM vehicles"));
        var vendor = Records(_hub, Vendor);
        var deleted = await Refusals.FailsAsync(() => vendor.GetCustomerAsync(new GetCustomerRequest { Purpose = "after-sales", OwnerParty = OwnerOf(3), CustomerRef = RefOf(3), Items = { "contact" } }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, deleted.StatusCode);
        var corrected = await vendor.GetCustomerAsync(new GetCustomerRequest { Purpose = "after-sales", OwnerParty = OwnerOf(1), CustomerRef = RefOf(1), Items = { "contact" } }, cancellationToken: Ct);
        Assert.Equal("090-0000-0005", corrected.Record.Contact.Phone);
    }

    [Fact]
    public async Task Refused_change_is_acknowledged_with_its_status_and_rule_recorded_once_and_the_stream_goes_on()
    {
        await AuthoriseAsync(Garage);
        var sensitive = Customer(Garage, "C003");
        sensitive.Repairs[0].Work[0].Description = "オイル交換。お客様の病歴: 糖尿病";
        var vendor = Records(_hub, Vendor);
        async Task<List<SyncResult>> SendAllAsync(SyncClient sync)
        {
            await sync.UpsertAsync(1, Customer(Garage, "C001"));
            await sync.UpsertAsync(2, Customer(Zao, "Z001"));
            await sync.UpsertAsync(3, sensitive);
            await sync.DeleteAsync(4, Garage, "C404");
            await sync.UpsertAsync(5, Customer(Garage, "C001"));
            await sync.DeleteAsync(6, Garage, "C001");
            await sync.CompleteAsync();
            return await sync.AllAcksAsync(Ct);
        }

        List<SyncResult> results = [];
        string syncId = "";
        var entries = await _hub.EntriesDuringAsync(async () =>
        {
            using var sync = await SyncClient.OpenAsync(vendor, cancellationToken: Ct);
            syncId = sync.Opened.SyncId;
            results = await SendAllAsync(sync);
        });

        Assert.Equal(
            [
                (1L, SyncOutcome.Created, 0, ""),
                (2L, SyncOutcome.Refused, (int)StatusCode.PermissionDenied, "vendor.not-authorised"),
                (3L, SyncOutcome.Refused, (int)StatusCode.InvalidArgument, "record.refused"),
                (4L, SyncOutcome.Absent, (int)StatusCode.NotFound, ""),
                (5L, SyncOutcome.Unchanged, 0, ""),
                (6L, SyncOutcome.Deleted, 0, ""),
            ],
            results.Select(r => (r.Sequence, r.Outcome, r.Code, r.Rule)));
        Assert.Contains("repairs.work.description", results[2].Message, StringComparison.Ordinal);
        Assert.All(results, r => Assert.NotEmpty(r.SubjectId));
        Assert.Equal(
            [
                (ProvisionOutcome.Received, (string?)null, Garage),
                (ProvisionOutcome.Refused, "vendor.not-authorised", Zao),
                (ProvisionOutcome.Refused, "record.refused", Garage),
                (ProvisionOutcome.Received, null, Garage),
                (ProvisionOutcome.Deleted, null, Garage),
            ],
            entries.Select(e => (e.Outcome, e.Rule, e.Provider)));

        // Re-sent, all six are duplicates: nothing is applied or recorded again, refusals included.
        var again = await _hub.EntriesDuringAsync(async () =>
        {
            using var resumed = await SyncClient.OpenAsync(vendor, syncId, cancellationToken: Ct);
            Assert.Equal(6, resumed.Opened.AcknowledgedSequence);
            results = await SendAllAsync(resumed);
        });
        Assert.Empty(again);
        Assert.Equal(Enumerable.Range(1, 6).Select(s => ((long)s, SyncOutcome.Duplicate)), results.Select(r => (r.Sequence, r.Outcome)));
    }

    [Fact]
    public async Task A_gap_in_the_sequence_ends_the_stream_with_out_of_range_after_acknowledging_what_came_before()
    {
        using var sync = await SyncClient.OpenAsync(Records(_hub, Garage), cancellationToken: Ct);
        await sync.UpsertAsync(1, Customer("", "C001"));
        await sync.UpsertAsync(3, Customer("", "C003"));

        var acked = await sync.NextAckAsync(Ct);
        var error = await Assert.ThrowsAsync<RpcException>(() => sync.NextAckAsync(Ct));

        Assert.Equal(1, acked!.ThroughSequence);
        Assert.Equal(StatusCode.OutOfRange, error.StatusCode);
        Assert.Contains("send from 2", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_garage_suspended_mid_sync_has_its_stream_ended_before_its_next_change_is_applied()
    {
        var admin = Channel(_hub, "admin");
        var keys = new PartnerKeys(Zao);
        _disposables.Add(keys);
        var certificate = keys.Certificate((await admin.IssueAsync(Zao, keys)).CertificatePem);
        var channel = _hub.Channel(certificate);
        _disposables.AddRange([certificate, channel]);
        using var sync = await SyncClient.OpenAsync(new Records.RecordsClient(channel), cancellationToken: Ct);
        await sync.UpsertAsync(1, Customer("", "Z001"));
        Assert.Equal(1, (await sync.NextAckAsync(Ct))!.ThroughSequence);

        await new Partners.PartnersClient(admin).SuspendPartyAsync(new ChangePartyStateRequest { PartyId = Zao, Reason = "contract ended" }, cancellationToken: Ct);
        await sync.UpsertAsync(2, Customer("", "Z002"));

        var error = await Assert.ThrowsAsync<RpcException>(() => sync.NextAckAsync(Ct));
        Assert.Equal((StatusCode.PermissionDenied, "party.inactive"), (error.StatusCode, error.Trailers.GetValue("exchange-rule")));
        await using var scope = _hub.Services.CreateAsyncScope();
        var customers = scope.ServiceProvider.GetRequiredService<ICustomerStore>();
        Assert.NotNull(await customers.FindAsync(Zao, "Z001", Ct));
        Assert.Null(await customers.FindAsync(Zao, "Z002", Ct));
    }

    [Fact]
    public async Task Changes_sent_together_in_one_message_are_applied_and_acknowledged_as_if_sent_singly()
    {
        using var sync = await SyncClient.OpenAsync(Records(_hub, Garage), cancellationToken: Ct);
        await sync.SendAsync([
            new SyncChange { Sequence = 1, Upsert = Customer("", "M001") },
            new SyncChange { Sequence = 2, Upsert = Customer("", "M002") },
            new SyncChange { Sequence = 3, Delete = new CustomerKey { CustomerRef = "M001" } },
        ]);
        await sync.SendAsync([new SyncChange { Sequence = 2, Upsert = Customer("", "M002") }, new SyncChange { Sequence = 4, Upsert = Customer("", "M004") }]);

        var results = await sync.AcksThroughAsync(4, Ct);
        await sync.SendAsync([]);
        var empty = await Assert.ThrowsAsync<RpcException>(() => sync.NextAckAsync(Ct));

        Assert.Equal(
            [(1L, SyncOutcome.Created), (2L, SyncOutcome.Created), (3L, SyncOutcome.Deleted), (2L, SyncOutcome.Duplicate), (4L, SyncOutcome.Created)],
            results.Select(r => (r.Sequence, r.Outcome)));
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Contains("1 to 500", empty.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sequence_zero_and_a_second_open_are_invalid()
    {
        using var zero = await SyncClient.OpenAsync(Records(_hub, Garage), cancellationToken: Ct);
        await zero.UpsertAsync(0, Customer("", "C001"));
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => zero.NextAckAsync(Ct))).StatusCode);

        var error = await Assert.ThrowsAsync<RpcException>(() => SyncClient.OpenAsync(Records(_hub, Garage), "sync-not-hex", cancellationToken: Ct));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task Opening_a_sync_stores_nothing_until_its_first_change_is_acknowledged()
    {
        string id;
        using (var idle = await SyncClient.OpenAsync(Records(_hub, Garage), cancellationToken: Ct))
        {
            id = idle.Opened.SyncId;
            await idle.CompleteAsync();
            Assert.Null(await idle.NextAckAsync(Ct));
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => SyncClient.OpenAsync(Records(_hub, Garage), id, cancellationToken: Ct));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        await using var scope = _hub.Services.CreateAsyncScope();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<ISyncSessionStore>().FindAsync(id, Ct));
    }

    [Fact]
    public async Task Another_partys_sync_and_an_unknown_one_are_not_found()
    {
        await AuthoriseAsync(Garage);
        using var garages = await SyncClient.OpenAsync(Records(_hub, Garage), cancellationToken: Ct);
        await garages.UpsertAsync(1, Customer("", "C001"));
        Assert.Equal(1, (await garages.NextAckAsync(Ct))!.ThroughSequence);

        var others = await Assert.ThrowsAsync<RpcException>(() => SyncClient.OpenAsync(Records(_hub, Vendor), garages.Opened.SyncId, cancellationToken: Ct));
        var unknown = await Assert.ThrowsAsync<RpcException>(() => SyncClient.OpenAsync(Records(_hub, Vendor), "sync-" + new string('0', 32), cancellationToken: Ct));

        Assert.Equal((StatusCode.NotFound, StatusCode.NotFound), (others.StatusCode, unknown.StatusCode));
        Assert.DoesNotContain(Garage, others.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Of_two_streams_on_one_sync_at_two_instances_the_second_to_commit_is_aborted_and_applies_nothing()
    {
        var second = await SecondInstanceAsync();
        try
        {
            using var first = await SyncClient.OpenAsync(Records(_hub, Garage), cancellationToken: Ct);
            await first.UpsertAsync(1, Customer("", "C001"));
            await first.AcksThroughAsync(1, Ct);
            using var rival = await SyncClient.OpenAsync(Records(second, Garage), first.Opened.SyncId, cancellationToken: Ct);
            Assert.Equal(1, rival.Opened.AcknowledgedSequence);

            var entries = await _hub.EntriesDuringAsync(async () =>
            {
                for (var s = 2; s <= 4; s++)
                {
                    await first.UpsertAsync(s, Customer("", $"C00{s}"));
                }

                await first.AcksThroughAsync(4, Ct);
                for (var s = 2; s <= 4; s++)
                {
                    await rival.UpsertAsync(s, Customer("", $"C00{s}"));
                }

                var error = await Assert.ThrowsAsync<RpcException>(() => rival.NextAckAsync(Ct));
                Assert.Equal(StatusCode.Aborted, error.StatusCode);
            });

            Assert.Equal(3, entries.Count);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task DeleteCustomer_by_the_owner_and_by_an_authorised_vendor_is_recorded_and_leaves_the_opt_outs()
    {
        var garage = Records(_hub, Garage);
        var vendor = Records(_hub, Vendor);
        foreach (var customer in new[] { "C001", "C002" })
        {
            await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Customer("", customer) }, cancellationToken: Ct);
        }

        await garage.SetOptOutAsync(new SetOptOutRequest { OwnerParty = Garage, CustomerRef = "C001", Purpose = "marketing", OptedOut = true }, cancellationToken: Ct);
        await AuthoriseAsync(Garage);

        var entries = await _hub.EntriesDuringAsync(async () =>
        {
            await garage.DeleteCustomerAsync(Delete("", "C001"), cancellationToken: Ct);
            await vendor.DeleteCustomerAsync(Delete(Garage, "C002"), cancellationToken: Ct);
        });

        Assert.Equal(
            [(ProvisionOutcome.Deleted, Garage, "hub", (string?)null, 0), (ProvisionOutcome.Deleted, Garage, "hub", Vendor, 0)],
            entries.Select(e => (e.Outcome, e.Provider, e.Recipient, e.Agent, e.Items.Count)));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM customers"));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM vehicles"));
        await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Customer("", "C001") }, cancellationToken: Ct);
        var optOuts = await garage.GetOptOutsAsync(new GetOptOutsRequest { OwnerParty = Garage, CustomerRef = "C001" }, cancellationToken: Ct);
        Assert.Equal(["marketing"], optOuts.OptOuts.Select(o => o.Purpose));
    }

    [Fact]
    public async Task DeleteCustomer_by_an_unauthorised_vendor_is_refused_and_recorded_and_of_an_absent_record_is_not_found()
    {
        var garage = Records(_hub, Garage);
        await garage.PutCustomerAsync(new PutCustomerRequest { Purpose = "after-sales", Record = Customer("", "C001") }, cancellationToken: Ct);
        RpcException refused = null!;
        RpcException absent = null!;

        var entries = await _hub.EntriesDuringAsync(async () =>
        {
            refused = await Refusals.FailsAsync(() => Records(_hub, Vendor).DeleteCustomerAsync(Delete(Garage, "C001"), cancellationToken: Ct).ResponseAsync);
            absent = await Refusals.FailsAsync(() => garage.DeleteCustomerAsync(Delete("", "C404"), cancellationToken: Ct).ResponseAsync);
        });

        Assert.Equal((StatusCode.PermissionDenied, "vendor.not-authorised"), (refused.StatusCode, refused.Trailers.GetValue("exchange-rule")));
        Assert.Equal(StatusCode.NotFound, absent.StatusCode);
        var entry = Assert.Single(entries);
        Assert.Equal((ProvisionOutcome.Refused, "vendor.not-authorised", Garage, Vendor), (entry.Outcome, entry.Rule, entry.Provider, entry.Agent));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM customers"));
    }

    // Per ten changes: eight new customers, a correction of the first and a deletion of the third.
    private static SyncChange ChangeOf(long s) => (s % 10) switch
    {
        0 => new SyncChange { Sequence = s, Delete = new CustomerKey { OwnerParty = OwnerOf(s - 7), CustomerRef = RefOf(s - 7) } },
        5 => new SyncChange { Sequence = s, Upsert = Corrected(Customer(OwnerOf(s - 4), RefOf(s - 4))) },
        _ => new SyncChange { Sequence = s, Upsert = Customer(OwnerOf(s), RefOf(s)) },
    };

    private static SyncOutcome ExpectedOutcome(long s) => (s % 10) switch
    {
        0 => SyncOutcome.Deleted,
        5 => SyncOutcome.Replaced,
        _ => SyncOutcome.Created,
    };

    private static string OwnerOf(long s) => s % 2 == 0 ? Garage : Zao;

    private static string RefOf(long s) => $"C{s:D5}";

    private static (string, string) SubjectKey(SyncChange change) => change.ChangeCase == SyncChange.ChangeOneofCase.Delete
        ? (change.Delete.OwnerParty, change.Delete.CustomerRef)
        : (change.Upsert.OwnerParty, change.Upsert.CustomerRef);

    private static CustomerRecord Corrected(CustomerRecord record)
    {
        record.Contact.Phone = "090-0000-0005";
        return record;
    }

    private static CustomerRecord Customer(string owner, string customerRef)
    {
        var record = Sample.Customer(customerRef);
        record.OwnerParty = owner;
        return record;
    }

    private static DeleteCustomerRequest Delete(string owner, string customerRef) =>
        new() { Purpose = "after-sales", Customer = new CustomerKey { OwnerParty = owner, CustomerRef = customerRef } };

    private async Task AuthoriseAsync(string garage) =>
        await new Partners.PartnersClient(Channel(_hub, "admin")).GrantAuthorisationAsync(
            new GrantAuthorisationRequest { GarageParty = garage, VendorParty = Vendor, Operations = { "write", "read" } }, cancellationToken: Ct);

    private Task<TestHub> SecondInstanceAsync() => TestHub.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Exchange:DataDirectory"] = Path.Combine(_hub.Directory, "data"),
        ["Exchange:Pki:DevelopmentDirectory"] = _hub.CertificateDirectory,
        ["Exchange:Database:Provider"] = provider.ToString(),
        ["Exchange:Database:ConnectionString"] = _hub.PostgresConnectionString,
    });

    private async Task<long> CountAsync(string sql)
    {
        await using var scope = _hub.Services.CreateAsyncScope();
        var connection = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Database.GetDbConnection();
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private Records.RecordsClient Records(TestHub hub, string party) => new(Channel(hub, party));

    // Every instance serves the first one's development PKI.
    private GrpcChannel Channel(TestHub hub, string party)
    {
        var channel = _hub.ChannelTo(hub, party);
        _disposables.Add(channel);
        return channel;
    }
}

/// <summary>Sync on SQLite.</summary>
public sealed class RecordsSyncOnSqliteTests() : RecordsSyncTests(DatabaseProvider.Sqlite);

/// <summary>Sync on PostgreSQL.</summary>
public sealed class RecordsSyncOnPostgresTests() : RecordsSyncTests(DatabaseProvider.Postgres);
