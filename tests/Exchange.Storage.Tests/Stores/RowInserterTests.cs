using Exchange.Storage.Entities;
using Exchange.Storage.Stores;
using Exchange.Storage.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Stores;

/// <summary>
/// The bulk insert on a real database (on SQLite bound by position, elsewhere an ADO.NET command; on
/// PostgreSQL several rows as one COPY or one INSERT from arrays): every value comes back as EF reads it.
/// </summary>
public abstract class RowInserterTests(DatabaseProvider provider) : StorageTest(provider)
{
    private protected TemporaryStorage _storage => Storage;

    [Fact]
    public async Task Inserted_rows_read_back_with_nulls_empty_text_japanese_text_blobs_and_converted_times()
    {
        var at = new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.FromHours(9));
        var entry = new ProvisionEntryRow
        {
            Sequence = 7, Time = at, SubjectId = null, CallId = "call_0193d3f4a1b27c4e8f00112233445566", TermsId = 3, EntryHash = new string('e', 64),
        };
        var terms = new ProvisionTermsRow
        {
            Digest = [1, 2, 3], Provider = "garage-佐藤自動車", Recipient = "hub", Agent = null, Items = "", Purpose = "after-sales",
            DeclarationVersion = 3, DeclarationHash = "d", Outcome = 2, Rule = null,
        };
        using (var scope = _storage.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            using var insert = RowInserter<ProvisionEntryRow>.Create(db);
            Assert.Equal(0, await insert.InsertAsync(entry, Ct));
            using var insertTerms = RowInserter<ProvisionTermsRow>.Create(db, returnKey: true);
            terms.Id = (int)await insertTerms.InsertAsync(terms, Ct);
            using var customers = RowInserter<CustomerRow>.Create(db, returnKey: true);
            await customers.InsertAsync(Customer("c-1", [], at), Ct);
            await transaction.CommitAsync(Ct);
        }

        using var read = _storage.Services.CreateScope();
        var stored = await read.ServiceProvider.GetRequiredService<ExchangeDbContext>().ProvisionEntries.SingleAsync(Ct);
        Assert.Equivalent(entry, stored, strict: true);
        Assert.Equal(at, stored.Time);
        Assert.Equivalent(terms, await read.ServiceProvider.GetRequiredService<ExchangeDbContext>().ProvisionTerms.SingleAsync(Ct), strict: true);
        var customer = await read.ServiceProvider.GetRequiredService<ExchangeDbContext>().Customers.SingleAsync(Ct);
        Assert.Empty(customer.Data);
        Assert.Null(customer.Prefecture);
    }

    [Fact]
    public async Task Rows_inserted_together_read_back_as_inserted_with_nulls_and_converted_values()
    {
        // On PostgreSQL one binary COPY: every value converted and typed as the model maps it.
        var at = new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.FromHours(9));
        var rows = Enumerable.Range(1, 3).Select(i => new ProvisionEntryRow
        {
            Sequence = i, Time = at.AddTicks(i), TermsId = i, SubjectId = i == 2 ? null : "sub_" + new string((char)('0' + i), 32),
            CallId = "call-" + i, EntryHash = new string((char)('a' + i), 64),
        }).ToList();
        using (var scope = _storage.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            using var insert = RowInserter<ProvisionEntryRow>.Create(db);
            await insert.InsertAllAsync(rows, Ct);
            await transaction.CommitAsync(Ct);
        }

        using var read = _storage.Services.CreateScope();
        var stored = await read.ServiceProvider.GetRequiredService<ExchangeDbContext>().ProvisionEntries.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(Ct);
        Assert.Equivalent(rows, stored, strict: true);
    }

    [Fact]
    public async Task Insert_returns_the_generated_key_and_zero_for_a_row_whose_unique_key_exists()
    {
        using var scope = _storage.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);
        using var insert = RowInserter<CustomerRow>.Create(db, returnKey: true, unlessExists: [nameof(CustomerRow.OwnerParty), nameof(CustomerRow.CustomerRef)]);

        var first = await insert.InsertAsync(Customer("c-1", [1, 2, 3], DateTimeOffset.UnixEpoch), Ct);
        var second = await insert.InsertAsync(Customer("c-2", [4], DateTimeOffset.UnixEpoch), Ct);
        var again = await insert.InsertAsync(Customer("c-1", [9], DateTimeOffset.UnixEpoch), Ct);
        await transaction.CommitAsync(Ct);

        Assert.True(first > 0);
        Assert.Equal(first + 1, second);
        Assert.Equal(0, again);
        var rows = await db.Customers.AsNoTracking().OrderBy(c => c.Id).ToListAsync(Ct);
        Assert.Equal([first, second], rows.Select(r => r.Id));
        Assert.Equal([1, 2, 3], rows[0].Data);
    }

    [Fact]
    public async Task Rows_inserted_together_return_each_ones_key_and_zero_where_its_unique_key_exists_or_repeats_an_earlier_ones()
    {
        using var scope = _storage.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);
        using var insert = RowInserter<CustomerRow>.Create(db, returnKey: true, unlessExists: [nameof(CustomerRow.OwnerParty), nameof(CustomerRow.CustomerRef)]);
        await insert.InsertAsync(Customer("c-2", [2], DateTimeOffset.UnixEpoch), Ct);

        var keys = await insert.InsertAllAsync(
            [Customer("c-3", [3], DateTimeOffset.UnixEpoch), Customer("c-2", [9], DateTimeOffset.UnixEpoch), Customer("c-1", [1], DateTimeOffset.UnixEpoch), Customer("c-3", [8], DateTimeOffset.UnixEpoch)],
            Ct);
        await transaction.CommitAsync(Ct);

        var rows = await db.Customers.AsNoTracking().ToDictionaryAsync(c => c.Id, Ct);
        Assert.Equal(3, rows.Count);
        Assert.Equal([0, 0], new[] { keys[1], keys[3] });
        Assert.Equal("c-3", rows[keys[0]].CustomerRef);
        Assert.Equal([3], rows[keys[0]].Data);
        Assert.Equal("c-1", rows[keys[2]].CustomerRef);
        Assert.Equal([1], rows[keys[2]].Data);
        Assert.Equal([2], rows.Values.Single(r => r.CustomerRef == "c-2").Data);
    }

    private protected static CustomerRow Customer(string customerRef, byte[] data, DateTimeOffset at) =>
        new() { OwnerParty = "garage-a", CustomerRef = customerRef, SubjectId = "sub_" + customerRef, Data = data, Prefecture = null, CreatedAt = at, UpdatedAt = at };
}

/// <summary>The insert bound by position on a real SQLite file, where text of any first character and errors take SQLite's own path.</summary>
public sealed class RowInserterOnSqliteTests() : RowInserterTests(DatabaseProvider.Sqlite)
{
    [Theory]
    [InlineData("\uFEFFc-1")]
    [InlineData("\uFFFEswap")]
    [InlineData("c-\uFEFF")]
    [InlineData("\u0000nul")]
    public async Task Text_reads_back_exactly_as_inserted_whatever_its_first_character(string text)
    {
        using (var scope = _storage.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            using var insert = RowInserter<CustomerRow>.Create(db, returnKey: true);
            await insert.InsertAsync(Customer(text, [], DateTimeOffset.UnixEpoch), Ct);
            await transaction.CommitAsync(Ct);
        }

        using var read = _storage.Services.CreateScope();
        var stored = await read.ServiceProvider.GetRequiredService<ExchangeDbContext>().Customers.AsNoTracking().SingleAsync(Ct);
        Assert.Equal(text, stored.CustomerRef);
        Assert.Equal("sub_" + text, stored.SubjectId);
    }

    [Fact]
    public async Task A_failed_insert_throws_the_sqlite_error_and_the_statement_stays_usable()
    {
        using var scope = _storage.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);
        using var insert = RowInserter<CustomerRow>.Create(db, returnKey: true);
        await insert.InsertAsync(Customer("c-1", [], DateTimeOffset.UnixEpoch), Ct);

        var error = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(async () => await insert.InsertAsync(Customer("c-1", [], DateTimeOffset.UnixEpoch), Ct));
        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Contains("UNIQUE", error.Message, StringComparison.Ordinal);

        Assert.True(await insert.InsertAsync(Customer("c-2", [], DateTimeOffset.UnixEpoch), Ct) > 0);
    }
}

/// <summary>The insert as an ADO.NET command on a real PostgreSQL database.</summary>
public sealed class RowInserterOnPostgresTests() : RowInserterTests(DatabaseProvider.Postgres);
