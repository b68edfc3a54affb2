using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Domain.Records;
using Exchange.Storage.Tests.Infrastructure;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Stores;

/// <summary>Customer records on a real database: what an upsert reports is what it did.</summary>
public abstract class CustomerStoreTests(DatabaseProvider provider) : StorageTest(provider)
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

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

    private async Task<IReadOnlyList<UpsertOutcome>> UpsertAsync(IReadOnlyList<StoredCustomer> customers)
    {
        using var scope = Storage.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IUnitOfWork>()
            .RunAsync(ct => scope.ServiceProvider.GetRequiredService<ICustomerStore>().UpsertAsync(customers, ct), Ct);
    }

    private static StoredCustomer Stored(string customerRef, string name, DateTimeOffset at)
    {
        var record = new CustomerRecord { OwnerParty = "garage-kaminoyama", CustomerRef = customerRef, Contact = new CustomerContact { Name = name } };
        return new StoredCustomer("sub_" + customerRef, record, record.ToByteArray(), at);
    }
}

public sealed class CustomerStoreOnSqliteTests() : CustomerStoreTests(DatabaseProvider.Sqlite);

public sealed class CustomerStoreOnPostgresTests() : CustomerStoreTests(DatabaseProvider.Postgres);
