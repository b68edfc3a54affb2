using System.Globalization;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Domain.Records;
using Exchange.Storage.Tests.Infrastructure;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Exchange.Storage.Tests.Stores;

/// <summary>Customer records on a real database: what an upsert reports is what it did.</summary>
public abstract class CustomerStoreTests(DatabaseProvider provider) : StorageTest(provider)
{
    private protected static readonly DateTimeOffset At = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Upsert_tells_created_replaced_and_unchanged_records_apart_and_leaves_unchanged_ones_unwritten()
    {
        await UpsertAsync([Stored("c-1", "山田 太郎", At), Stored("c-2", "佐藤 花子", At)]);

        var outcomes = await UpsertAsync([Stored("c-1", "山田 太郎", At.AddHours(1)), Stored("c-2", "佐藤 はなこ", At.AddHours(1)), Stored("c-3", "鈴木 一郎", At.AddHours(1))]);

        Assert.Equal([UpsertOutcome.Unchanged, UpsertOutcome.Replaced, UpsertOutcome.Created], outcomes);
        using var scope = Storage.Services.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<ICustomerStore>();
        Assert.Equal(At, (await store.FindAsync("garage-kaminoyama", "c-1", Ct))!.UpdatedAt);
        Assert.Equal(At.AddHours(1), (await store.FindAsync("garage-kaminoyama", "c-2", Ct))!.UpdatedAt);
    }

    [Fact]
    public async Task A_batch_interleaving_new_replaced_and_unchanged_records_gets_each_records_own_outcome_and_stores_each_record()
    {
        // On PostgreSQL the new records go in one statement whose returned keys are matched back to the
        // batch; a mismatch would show as an outcome or a record in the wrong place.
        await UpsertAsync([.. Enumerable.Range(0, 40).Where(i => i % 3 != 0).Select(i => Stored($"c-{i:D2}", $"名前 {i}", At))]);

        var batch = Enumerable.Range(0, 40).Reverse().Select(i => Stored($"c-{i:D2}", i % 3 == 1 ? $"名前 {i}" : $"新しい名前 {i}", At.AddHours(1))).ToList();
        var outcomes = await UpsertAsync(batch);

        Assert.Equal(
            batch.Select(c => (int.Parse(c.Record.CustomerRef[2..], CultureInfo.InvariantCulture) % 3) switch { 0 => UpsertOutcome.Created, 1 => UpsertOutcome.Unchanged, _ => UpsertOutcome.Replaced }),
            outcomes);
        using var scope = Storage.Services.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<ICustomerStore>();
        foreach (var customer in batch)
        {
            var found = await store.FindAsync("garage-kaminoyama", customer.Record.CustomerRef, Ct);
            Assert.Equal(customer.Record.Contact.Name, CustomerRecord.Parser.ParseFrom(found!.Data).Contact.Name);
            Assert.Equal(customer.SubjectId, found.SubjectId);
        }
    }

    [Fact]
    public async Task Vehicle_rows_are_exactly_those_of_the_stored_records_after_creates_replaces_and_unchanged_writes()
    {
        await UpsertAsync([
            Stored("c-1", "山田 太郎", At, ("v-1", "ZVW30-1000001", "DAA-ZVW30"), ("v-2", "", "")),
            Stored("c-2", "佐藤 花子", At, ("v-3", "NHP10-2000002", "DAA-NHP10")),
            Stored("c-3", "鈴木 一郎", At, ("v-4", "GP5-3000003", "DAA-GP5")),
        ]);

        StoredCustomer[] second =
        [
            Stored("c-1", "山田 太郎", At.AddHours(1), ("v-2", "ZRR70-1000009", "DBA-ZRR70"), ("v-5", "", "DBA-ZRR70")),
            Stored("c-2", "佐藤 花子", At.AddHours(1), ("v-3", "NHP10-2000002", "DAA-NHP10")),
            Stored("c-3", "鈴木 一郎", At.AddHours(1)),
            Stored("c-4", "高橋 次郎", At.AddHours(1), ("v-6", "ZVW50-4000004", "DAA-ZVW50"), ("v-7", "ZVW50-4000005", null)),
            Stored("c-5", "田中 三郎", At.AddHours(1)),
        ];
        Assert.Equal([UpsertOutcome.Replaced, UpsertOutcome.Unchanged, UpsertOutcome.Replaced, UpsertOutcome.Created, UpsertOutcome.Created], await UpsertAsync(second));

        using var scope = Storage.Services.CreateScope();
        var stored = await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Customers.AsNoTracking()
            .SelectMany(c => c.Vehicles, (c, v) => new { c.CustomerRef, v.VehicleRef, v.ChassisNumber, v.ModelCode })
            .ToListAsync(Ct);
        var expected = second.SelectMany(c => c.Record.Vehicles, (c, v) => (c.Record.CustomerRef, v.VehicleRef, NullIfEmpty(v.InspectionCertificate?.ChassisNumber), NullIfEmpty(v.InspectionCertificate?.ModelCode)));
        Assert.Equal(
            expected.OrderBy(v => v.VehicleRef, StringComparer.Ordinal),
            stored.Select(v => (v.CustomerRef, v.VehicleRef, v.ChassisNumber, v.ModelCode)).OrderBy(v => v.VehicleRef, StringComparer.Ordinal));
    }

    private protected async Task<IReadOnlyList<UpsertOutcome>> UpsertAsync(IReadOnlyList<StoredCustomer> customers)
    {
        using var scope = Storage.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IUnitOfWork>()
            .RunAsync(ct => scope.ServiceProvider.GetRequiredService<ICustomerStore>().UpsertAsync(customers, ct), Ct);
    }

    private protected static StoredCustomer Stored(string customerRef, string name, DateTimeOffset at, params (string Ref, string Chassis, string? Model)[] vehicles)
    {
        var record = new CustomerRecord { OwnerParty = "garage-kaminoyama", CustomerRef = customerRef, Contact = new CustomerContact { Name = name } };
        record.Vehicles.AddRange(vehicles.Select(v => new Vehicle
        {
            VehicleRef = v.Ref,
            InspectionCertificate = v.Model is null ? null : new InspectionCertificate { ChassisNumber = v.Chassis, ModelCode = v.Model },
        }));
        return new StoredCustomer("sub_" + customerRef, record, record.ToByteArray(), at);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

public sealed class CustomerStoreOnSqliteTests() : CustomerStoreTests(DatabaseProvider.Sqlite);

/// <summary>On PostgreSQL, where another transaction (another hub instance) may write the same customer while a batch is stored.</summary>
public sealed class CustomerStoreOnPostgresTests() : CustomerStoreTests(DatabaseProvider.Postgres)
{
    [Theory]
    [InlineData(true, UpsertOutcome.Replaced)]
    [InlineData(false, UpsertOutcome.Created)]
    public async Task A_record_another_transaction_inserts_meanwhile_is_replaced_when_that_commits_and_created_when_it_rolls_back(bool commits, UpsertOutcome outcome)
    {
        await using var other = await OtherConnectionAsync();
        var otherTransaction = await other.BeginTransactionAsync(Ct);
        await ExecuteAsync(other, "INSERT INTO customers (owner_party, customer_ref, subject_id, data, created_at, updated_at) VALUES ('garage-kaminoyama', 'c-2', 'sub_c-2', '\\x00', 0, 0)");

        StoredCustomer[] batch = [Stored("c-1", "山田 太郎", At), Stored("c-2", "佐藤 花子", At, ("v-1", "ZVW30-1000001", "DAA-ZVW30")), Stored("c-3", "鈴木 一郎", At)];
        var upsert = UpsertAsync(batch);
        await WaitForLockWaitAsync(other);
        if (commits)
        {
            await otherTransaction.CommitAsync(Ct);
        }
        else
        {
            await otherTransaction.RollbackAsync(Ct);
        }

        Assert.Equal([UpsertOutcome.Created, outcome, UpsertOutcome.Created], await upsert);
        await AssertStoredAsync(batch);
    }

    [Fact]
    public async Task A_record_another_transaction_deletes_after_the_batch_found_it_is_inserted_again_and_created()
    {
        await UpsertAsync([Stored("c-2", "佐藤 花子", At)]);
        await using var other = await OtherConnectionAsync();
        // Holding the vehicles' table stops the batch where it reads the records its insert found, after the insert.
        var otherTransaction = await other.BeginTransactionAsync(Ct);
        await ExecuteAsync(other, "LOCK TABLE vehicles IN ACCESS EXCLUSIVE MODE");

        StoredCustomer[] batch = [Stored("c-1", "山田 太郎", At), Stored("c-2", "佐藤 はなこ", At.AddHours(1), ("v-1", "ZVW30-1000001", "DAA-ZVW30")), Stored("c-3", "鈴木 一郎", At)];
        var upsert = UpsertAsync(batch);
        await WaitForLockWaitAsync(other);
        await ExecuteAsync(other, "DELETE FROM customers WHERE customer_ref = 'c-2'");
        await otherTransaction.CommitAsync(Ct);

        Assert.Equal([UpsertOutcome.Created, UpsertOutcome.Created, UpsertOutcome.Created], await upsert);
        await AssertStoredAsync(batch);
    }

    private async Task<NpgsqlConnection> OtherConnectionAsync()
    {
        using var scope = Storage.Services.CreateScope();
        var connection = new NpgsqlConnection(scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Database.GetConnectionString());
        await connection.OpenAsync(Ct);
        return connection;
    }

    private async Task AssertStoredAsync(IReadOnlyList<StoredCustomer> batch)
    {
        using var scope = Storage.Services.CreateScope();
        var stored = await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Customers.AsNoTracking()
            .Include(c => c.Vehicles).OrderBy(c => c.CustomerRef).ToListAsync(Ct);
        Assert.Equal(batch.Select(c => c.Record.CustomerRef), stored.Select(c => c.CustomerRef));
        Assert.Equal(batch.Select(c => c.Encoded), stored.Select(c => c.Data));
        Assert.Equal(batch.Select(c => string.Join(' ', c.Record.Vehicles.Select(v => v.VehicleRef))), stored.Select(c => string.Join(' ', c.Vehicles.Select(v => v.VehicleRef))));
    }

    // Until a session of this database waits for a lock: the batch has reached the other transaction's.
    private static async Task WaitForLockWaitAsync(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        for (var tries = 0; (long)(await command.ExecuteScalarAsync(Ct))! == 0; tries++)
        {
            Assert.True(tries < 1000, "the batch never waited for the other transaction");
            await Task.Delay(10, Ct);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
