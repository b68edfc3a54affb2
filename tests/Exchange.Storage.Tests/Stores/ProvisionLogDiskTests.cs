using System.Globalization;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Domain.Records;
using Exchange.Storage.Stores;
using Exchange.Storage.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Storage.Tests.Stores;

/// <summary>
/// What a provision-log entry costs on disk, indexes and the lookup by person included, on a real
/// database grown with a mix of reads naming a person, refusals naming none and batch writes.
/// <c>EXCHANGE_DISK_ENTRIES</c> sets how many entries (default 20,000; docs/storage.md has the
/// figures at 200,000).
/// </summary>
public abstract class ProvisionLogDiskTests(DatabaseProvider provider) : StorageTest(provider)
{
    private const int MaxBytesPerEntry = 200;

    private static readonly string[] LogTables = ["provision_log", "provision_log_terms", "provision_log_subjects", "provision_log_subject_index", "provision_log_tree"];

    [Fact]
    public async Task An_entry_takes_at_most_200_bytes_with_its_indexes()
    {
        var entries = Environment.GetEnvironmentVariable("EXCHANGE_DISK_ENTRIES") is { Length: > 0 } set ? int.Parse(set, CultureInfo.InvariantCulture) : 20_000;
        var empty = await LogBytesAsync();
        foreach (var group in Mix(entries).Chunk(1_000))
        {
            using var scope = Storage.Services.CreateScope();
            var log = scope.ServiceProvider.GetRequiredService<IProvisionLogStore>();
            await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().RunAsync(ct => log.AppendAsync(group, ct), Ct);
        }

        while (await Storage.Services.GetRequiredService<ProvisionSubjectIndexer>().IndexPendingAsync(Ct))
        {
        }

        var perEntry = (double)(await LogBytesAsync() - empty) / entries;
        TestContext.Current.TestOutputHelper?.WriteLine(FormattableString.Invariant($"{Provider}: {perEntry:F1} bytes per entry over {entries:N0} entries"));
        if (Provider == DatabaseProvider.Postgres)
        {
            using var scope = Storage.Services.CreateScope();
            var connection = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Database.GetDbConnection();
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT relname || ' ' || pg_relation_size(oid) FROM pg_class WHERE relname LIKE '%provision_log%'";
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                TestContext.Current.TestOutputHelper?.WriteLine(reader.GetString(0));
            }
        }
        Assert.InRange(perEntry, 1, MaxBytesPerEntry);
    }

    private async Task<long> LogBytesAsync()
    {
        using var scope = Storage.Services.CreateScope();
        var connection = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Database.GetDbConnection();
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        // On SQLite the pages in use, the WAL's too (the test measures their growth: only the log grows);
        // on PostgreSQL every fork of the log's tables and their indexes.
        command.CommandText = Provider == DatabaseProvider.Sqlite
            ? "SELECT ((SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count())) * (SELECT page_size FROM pragma_page_size())"
            : $"SELECT SUM(pg_total_relation_size(to_regclass(c)))::bigint FROM unnest(ARRAY[{string.Join(", ", LogTables.Select(t => $"'{t}'"))}]) c";
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), CultureInfo.InvariantCulture);
    }

    // Per 100 entries about 60 reads of a person's contact details, 15 refusals naming no person and batch writes
    // of 25 persons, the persons read drawn from those written; every ID in the form the hub gives it.
    private static IEnumerable<ProvisionFact> Mix(int count)
    {
        var random = new Random(20261206);
        var pseudonyms = new SubjectPseudonyms(new byte[32]);
        var declaration = Convert.ToHexStringLower(new byte[32]);
        var time = new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);
        var written = 0;
        string Call() => "call_" + Guid.CreateVersion7(time).ToString("N");
        for (var produced = 0; produced < count;)
        {
            time = time.AddTicks(random.Next(1, 20_000_000));
            var roll = random.Next(100);
            if (roll < 25 || written == 0)
            {
                var call = Call();
                for (var i = 0; i < 25 && produced < count; i++, produced++)
                {
                    var subject = pseudonyms.SubjectOf("garage-kaminoyama", "C" + written++.ToString(CultureInfo.InvariantCulture));
                    yield return new ProvisionFact(time, "garage-kaminoyama", ProvisionFact.Hub, null, subject, ["contact.address", "contact.name", "contact.phone", "vehicle.entry_date", "vehicle.inspection_certificate", "vehicle.mileage"], "after-sales", 1, declaration, call, ProvisionOutcome.Received, null);
                }
            }
            else if (roll < 40)
            {
                produced++;
                yield return new ProvisionFact(time, "garage-kaminoyama", "vendor-mirai", null, null, ["contact.name", "vehicle.mileage"], "marketing", 1, declaration, Call(), ProvisionOutcome.Refused, "purpose.not-granted");
            }
            else
            {
                produced++;
                var subject = pseudonyms.SubjectOf("garage-kaminoyama", "C" + random.Next(written).ToString(CultureInfo.InvariantCulture));
                yield return new ProvisionFact(time, "garage-kaminoyama", "group-lotus", null, subject, ["contact.address", "contact.email", "contact.name", "contact.phone"], "marketing", 1, declaration, Call(), ProvisionOutcome.Provided, null);
            }
        }
    }
}

/// <summary>Disk per entry on a real SQLite file.</summary>
public sealed class ProvisionLogDiskOnSqliteTests() : ProvisionLogDiskTests(DatabaseProvider.Sqlite);

/// <summary>Disk per entry on a real PostgreSQL database.</summary>
public sealed class ProvisionLogDiskOnPostgresTests() : ProvisionLogDiskTests(DatabaseProvider.Postgres);
