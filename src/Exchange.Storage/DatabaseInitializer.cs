using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Exchange.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Exchange.Storage;

/// <summary>Completes once the database is created and migrated, for background work that must not run on an older schema.</summary>
internal sealed class DatabaseReady
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Task => _ready.Task;

    public void Set() => _ready.TrySetResult();
}

/// <summary>Creates or migrates the database on start and seeds what the hub ships with.</summary>
internal sealed class DatabaseInitializer : IStorageInitializer
{
    private readonly ExchangeDbContext _db;
    private readonly IGrantStore _grants;
    private readonly TimeProvider _time;
    private readonly DatabaseReady _ready;

    public DatabaseInitializer(ExchangeDbContext db, IGrantStore grants, TimeProvider time, DatabaseReady ready)
    {
        _db = db;
        _grants = grants;
        _time = time;
        _ready = ready;
    }

    /// <summary>
    /// Brings the schema up to date with the provider's migrations and seeds the default grants on an
    /// empty database. Hub instances starting together on one PostgreSQL server migrate one at a time:
    /// EF Core takes a lock on the migrations history for it.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_db.Database.IsSqlite())
        {
            var path = _db.Database.GetDbConnection().DataSource;
            if (!string.IsNullOrEmpty(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            }
        }

        await RefuseUnmigratedAsync(cancellationToken).ConfigureAwait(false);
        if (!_db.Database.IsSqlite())
        {
            // Else migrating a new PostgreSQL database first reads the history table that is not there, and logs that as an error.
            await _db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        }

        await _db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);

        if (_db.Database.IsSqlite())
        {
            // WAL: readers never wait for the writer; the setting persists in the file.
            await _db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }

        await IndexVehiclesForRecallsAsync(cancellationToken).ConfigureAwait(false);
        if (!await _db.Grants.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var grant in DefaultGrants.Create())
            {
                await _grants.SetAsync(grant, cancellationToken).ConfigureAwait(false);
            }
        }

        _ready.Set();
    }

    // Vehicles stored before recall matching existed have no normalised chassis number or model code
    // (NFKC is not SQL's): they are indexed once from their records, a page of customers at a time,
    // so that a campaign matches them. Each instance starting does the same harmless work; a vehicle
    // with neither a readable chassis number nor a model code stays unindexed and is looked at again.
    private async Task IndexVehiclesForRecallsAsync(CancellationToken cancellationToken)
    {
        const int Page = 1_000;
        var afterId = 0L;
        while (true)
        {
            var customers = await _db.Customers.Include(c => c.Vehicles)
                .Where(c => c.Id > afterId && c.Vehicles.Any(v => (v.ChassisNumber != null || v.ModelCode != null) && v.ChassisFrame == null && v.ModelCodeNormalised == null && v.FirstRegistered == null))
                .OrderBy(c => c.Id).Take(Page).ToListAsync(cancellationToken).ConfigureAwait(false);
            if (customers.Count == 0)
            {
                return;
            }

            foreach (var customer in customers)
            {
                var indexed = Stores.CustomerStore.VehiclesOf(Contracts.V1.CustomerRecord.Parser.ParseFrom(customer.Data)).ToDictionary(v => v.VehicleRef, StringComparer.Ordinal);
                foreach (var vehicle in customer.Vehicles)
                {
                    if (indexed.TryGetValue(vehicle.VehicleRef, out var row))
                    {
                        (vehicle.ChassisFrame, vehicle.ChassisSerial, vehicle.ModelCodeNormalised, vehicle.ModelBase, vehicle.FirstRegistered) = (row.ChassisFrame, row.ChassisSerial, row.ModelCodeNormalised, row.ModelBase, row.FirstRegistered);
                    }
                }
            }

            await _db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            _db.ChangeTracker.Clear();
            afterId = customers[^1].Id;
        }
    }

    // Development builds before the first migration created the schema without a history, which
    // migrating would collide with; say so rather than fail on "table already exists".
    private async Task RefuseUnmigratedAsync(CancellationToken cancellationToken)
    {
        if (!_db.Database.IsSqlite() || (await _db.Database.GetAppliedMigrationsAsync(cancellationToken).ConfigureAwait(false)).Any())
        {
            return;
        }

        var tables = await _db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = 'parties'").SingleAsync(cancellationToken).ConfigureAwait(false);
        if (tables > 0)
        {
            throw new InvalidOperationException(
                $"The database {_db.Database.GetDbConnection().DataSource} was created by a development build before schema migrations existed. " +
                "Move it aside (its data is development data) and start the hub again to create a migrated one.");
        }
    }

    /// <summary>Registers parties that are not registered yet (the development parties, the bootstrap administrator).</summary>
    public async Task EnsurePartiesAsync(IEnumerable<Party> parties, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        foreach (var party in parties)
        {
            if (await _db.Parties.AnyAsync(p => p.Id == party.Id, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            _db.Parties.Add(new PartyRow { Id = party.Id, Role = party.Role.ToWire(), Status = party.Status.ToString(), NameJa = party.NameJa, NameEn = party.NameEn, CreatedAt = now, UpdatedAt = now });
        }

        await _db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }
}
