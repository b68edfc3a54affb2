using Exchange.Storage.Postgres;
using Exchange.Storage.Sqlite;
using Exchange.Storage.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Exchange.Storage.Tests;

/// <summary>The schema on a real database: created and migrated on start, and in step with the model, on each provider.</summary>
public abstract class DatabaseInitializerTests(DatabaseProvider provider) : StorageTest(provider)
{
    // Needs the model and the migrations only, no database: it runs for each provider wherever the tests run.
    [Fact]
    public void Migrations_of_the_provider_describe_the_whole_model()
    {
        using ExchangeDbContext db = Provider == DatabaseProvider.Sqlite ? new SqliteDesignTimeFactory().CreateDbContext([]) : new PostgresDesignTimeFactory().CreateDbContext([]);

        Assert.False(
            db.Database.HasPendingModelChanges(),
            $"The model has changed since the last {Provider} migration: add one with `dotnet dotnet-ef migrations add <Name> --project src/Exchange.Storage --context {db.GetType().Name} --output-dir Migrations/{Provider} --namespace Exchange.Storage.Migrations.{Provider}`.");
    }

    [Fact]
    public async Task Start_on_a_new_database_applies_every_migration_and_seeds_the_default_grants()
    {
        using var scope = Uninitialized.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();

        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(Ct);

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(Ct));
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
        Assert.NotEmpty(await db.Grants.ToListAsync(Ct));
    }

    [Fact]
    public async Task Vehicles_stored_before_recall_matching_existed_are_indexed_for_it_on_start()
    {
        using (var scope = Uninitialized.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(Ct);
            var record = new Contracts.V1.CustomerRecord { OwnerParty = "garage-a", CustomerRef = "c-1" };
            record.Vehicles.Add(new Contracts.V1.Vehicle { VehicleRef = "v-1", InspectionCertificate = new() { ChassisNumber = "ＺＶＷ３０－１２３４５６７", ModelCode = "daa-zvw30", FirstRegistration = new() { Year = 2015, Month = 6 } } });
            record.Vehicles.Add(new Contracts.V1.Vehicle { VehicleRef = "v-2" });
            var store = scope.ServiceProvider.GetRequiredService<Domain.Records.ICustomerStore>();
            await scope.ServiceProvider.GetRequiredService<Domain.Provisions.IUnitOfWork>().RunAsync(
                ct => store.UpsertAsync([new Domain.Records.StoredCustomer("sub_0123456789abcdef0123456789abcdef", record, Google.Protobuf.MessageExtensions.ToByteArray(record), DateTimeOffset.UnixEpoch)], ct), Ct);
            // As a hub before recall matching left them.
            await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Database.ExecuteSqlRawAsync(
                "UPDATE vehicles SET chassis_frame = NULL, chassis_serial = NULL, model_code_normalised = NULL, model_base = NULL, first_registered = NULL", Ct);
        }

        using (var scope = Uninitialized.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(Ct);
            var vehicles = await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().Vehicles.OrderBy(v => v.VehicleRef).ToListAsync(Ct);

            Assert.Equal(("ZVW30", 1234567L, "DAA-ZVW30", "ZVW30", 201506), (vehicles[0].ChassisFrame, vehicles[0].ChassisSerial, vehicles[0].ModelCodeNormalised, vehicles[0].ModelBase, vehicles[0].FirstRegistered));
            Assert.Null(vehicles[1].ChassisFrame);
        }
    }

    [Fact]
    public async Task Starting_again_on_a_migrated_database_keeps_its_data()
    {
        using (var scope = Uninitialized.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(Ct);
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
            await db.Database.ExecuteSqlRawAsync("DELETE FROM grants WHERE purpose = 'marketing'", Ct);
        }

        using (var scope = Uninitialized.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(Ct);
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
            var grants = await db.Grants.ToListAsync(Ct);
            Assert.NotEmpty(grants);
            Assert.DoesNotContain(grants, g => g.Purpose == "marketing");
        }
    }
}

/// <summary>The schema on real SQLite files, and what only SQLite has: WAL mode and its checkpoints.</summary>
public sealed class DatabaseInitializerOnSqliteTests() : DatabaseInitializerTests(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task Start_on_a_new_folder_creates_the_database_file_in_wal_mode()
    {
        using var scope = Uninitialized.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(Ct);

        Assert.True(File.Exists(Uninitialized.DatabaseFile));
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
        Assert.Equal("wal", Assert.Single(await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync(Ct)));
    }

    [Fact]
    public async Task Connections_bound_the_memory_of_all_SQLite_caches_in_the_process_together()
    {
        using var scope = Uninitialized.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(Ct);
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();

        var limit = Assert.Single(await db.Database.SqlQueryRaw<long>("PRAGMA soft_heap_limit").ToListAsync(Ct));

        Assert.InRange(limit, 1, 256 * 1024 * 1024);
    }

    [Fact]
    public async Task Stopping_the_hub_leaves_everything_in_the_database_file_and_the_write_ahead_log_empty()
    {
        var checkpointer = Uninitialized.Services.GetServices<IHostedService>().OfType<SqliteWalCheckpointer>().Single();
        using (var scope = Uninitialized.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(Ct);
        }

        // Started after the writes: its checkpoints each second could otherwise empty the log before it is looked at, on a busy machine.
        var wal = new FileInfo(Uninitialized.DatabaseFile + "-wal");
        Assert.True(wal.Exists && wal.Length > 0, "the writes went to the write-ahead log first");
        await checkpointer.StartAsync(Ct);

        await checkpointer.StopAsync(Ct);

        wal.Refresh();
        Assert.Equal(0, wal.Length);
        using var scope2 = Uninitialized.Services.CreateScope();
        Assert.NotEmpty(await scope2.ServiceProvider.GetRequiredService<ExchangeDbContext>().Grants.ToListAsync(Ct));
    }

    [Fact]
    public async Task Database_created_before_migrations_existed_is_refused_with_what_to_do()
    {
        using var scope = Uninitialized.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
        Directory.CreateDirectory(Uninitialized.Directory);
        await db.Database.EnsureCreatedAsync(Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(Ct));

        Assert.Contains("before schema migrations existed", error.Message, StringComparison.Ordinal);
        Assert.Contains("Move it aside", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>The schema on a real PostgreSQL database of its own.</summary>
public sealed class DatabaseInitializerOnPostgresTests() : DatabaseInitializerTests(DatabaseProvider.Postgres);
