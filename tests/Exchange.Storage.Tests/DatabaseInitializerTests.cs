using Exchange.Storage.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Exchange.Storage.Tests;

/// <summary>The schema on real SQLite files: created and migrated on start, and in step with the model.</summary>
public sealed class DatabaseInitializerTests : IDisposable
{
    private readonly TemporaryStorage _storage = new("storage");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabaseFile => _storage.DatabaseFile;

    public void Dispose() => _storage.Dispose();

    [Fact]
    public void Migrations_describe_the_whole_model()
    {
        using var scope = _storage.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();

        Assert.False(db.Database.HasPendingModelChanges(), "The model has changed since the last migration: add one with `dotnet dotnet-ef migrations add <Name> --project src/Exchange.Storage`.");
    }

    [Fact]
    public async Task Start_on_a_new_folder_creates_a_migrated_database_in_wal_mode_with_the_default_grants()
    {
        using var scope = _storage.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();

        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(Ct);

        Assert.True(File.Exists(DatabaseFile));
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(Ct));
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
        Assert.NotEmpty(await db.Grants.ToListAsync(Ct));
        Assert.Equal("wal", Assert.Single(await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync(Ct)));
    }

    [Fact]
    public async Task Starting_again_on_a_migrated_database_keeps_its_data()
    {
        using (var scope = _storage.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(Ct);
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
            await db.Database.ExecuteSqlRawAsync("DELETE FROM grants WHERE Purpose = 'marketing'", Ct);
        }

        using (var scope = _storage.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(Ct);
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
            var grants = await db.Grants.ToListAsync(Ct);
            Assert.NotEmpty(grants);
            Assert.DoesNotContain(grants, g => g.Purpose == "marketing");
        }
    }

    [Fact]
    public async Task Stopping_the_hub_leaves_everything_in_the_database_file_and_the_write_ahead_log_empty()
    {
        var checkpointer = _storage.Services.GetServices<IHostedService>().OfType<SqliteWalCheckpointer>().Single();
        using (var scope = _storage.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(Ct);
        }

        // Started after the writes: its checkpoints each second could otherwise empty the log before it is looked at, on a busy machine.
        var wal = new FileInfo(DatabaseFile + "-wal");
        Assert.True(wal.Exists && wal.Length > 0, "the writes went to the write-ahead log first");
        await checkpointer.StartAsync(Ct);

        await checkpointer.StopAsync(Ct);

        wal.Refresh();
        Assert.Equal(0, wal.Length);
        using var scope2 = _storage.Services.CreateScope();
        Assert.NotEmpty(await scope2.ServiceProvider.GetRequiredService<ExchangeDbContext>().Grants.ToListAsync(Ct));
    }

    [Fact]
    public async Task Database_created_before_migrations_existed_is_refused_with_what_to_do()
    {
        using var scope = _storage.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
        Directory.CreateDirectory(_storage.Directory);
        await db.Database.EnsureCreatedAsync(Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(Ct));

        Assert.Contains("before schema migrations existed", error.Message, StringComparison.Ordinal);
        Assert.Contains("Move it aside", error.Message, StringComparison.Ordinal);
    }
}
