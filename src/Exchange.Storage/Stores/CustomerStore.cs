using System.Globalization;
using System.Runtime.CompilerServices;
using Exchange.Contracts.V1;
using Exchange.Domain.Parties;
using Exchange.Domain.Recalls;
using Exchange.Domain.Records;
using Exchange.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Exchange.Storage.Stores;

internal sealed class CustomerStore(Lazy<ExchangeDbContext> context, ConnectionLeases leases) : ICustomerStore
{
    private ExchangeDbContext Db => context.Value;

    private static readonly string ActiveStatus = nameof(PartyStatus.Active);

    // Read on every purpose-checked read: the record, the person's opt-out and the owner's status in
    // one statement, the owner's status also when there is no record.
    private static readonly SqlText FindSql = new(n =>
        $"SELECT c.{n.Column<CustomerRow>(nameof(CustomerRow.SubjectId))}, c.{n.Column<CustomerRow>(nameof(CustomerRow.Data))}, c.{n.Column<CustomerRow>(nameof(CustomerRow.UpdatedAt))}, " +
        $"EXISTS (SELECT 1 FROM {n.Table<OptOutRow>()} o WHERE o.{n.Column<OptOutRow>(nameof(OptOutRow.SubjectId))} = c.{n.Column<CustomerRow>(nameof(CustomerRow.SubjectId))} AND o.{n.Column<OptOutRow>(nameof(OptOutRow.Purpose))} = @purpose), " +
        $"p.{n.Column<PartyRow>(nameof(PartyRow.Status))} " +
        "FROM (SELECT 1 AS one) AS lookup " +
        $"LEFT JOIN {n.Table<PartyRow>()} p ON p.{n.Column<PartyRow>(nameof(PartyRow.Id))} = @owner " +
        $"LEFT JOIN {n.Table<CustomerRow>()} c ON c.{n.Column<CustomerRow>(nameof(CustomerRow.OwnerParty))} = @owner AND c.{n.Column<CustomerRow>(nameof(CustomerRow.CustomerRef))} = @ref");

    public async Task<EncodedCustomer?> FindAsync(string ownerParty, string customerRef, CancellationToken cancellationToken) =>
        (await FindForPurposeAsync(ownerParty, customerRef, "", cancellationToken).ConfigureAwait(false)).Customer;

    public Task<CustomerLookup> FindForPurposeAsync(string ownerParty, string customerRef, string purpose, CancellationToken cancellationToken) =>
        leases.RunAsync(
            async lease =>
            {
                var command = lease.Command(FindSql.For(lease.Names), "@owner", "@ref", "@purpose");
                command.Parameters[0].Value = ownerParty;
                command.Parameters[1].Value = customerRef;
                command.Parameters[2].Value = purpose;
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    var ownerStatus = StatusOf(reader.IsDBNull(4) ? null : reader.GetString(4));
                    if (reader.IsDBNull(0))
                    {
                        return new CustomerLookup(null, false, ownerStatus);
                    }

                    var updatedAt = lease.Names.Read<CustomerRow, DateTimeOffset>(nameof(CustomerRow.UpdatedAt), reader.GetValue(2));
                    var optedOut = Convert.ToInt64(reader.GetValue(3), CultureInfo.InvariantCulture) != 0;
                    return new CustomerLookup(new EncodedCustomer(reader.GetString(0), (byte[])reader.GetValue(1), updatedAt), optedOut, ownerStatus);
                }
            },
            cancellationToken);

    public async Task<IReadOnlyList<UpsertOutcome>> UpsertAsync(IReadOnlyList<StoredCustomer> customers, CancellationToken cancellationToken)
    {
        // New records, most of a batch, are inserted together without change tracking (on PostgreSQL
        // one statement); the insert itself tells which exist already (it inserts nothing), and only
        // those are loaded and replaced.
        using var insertCustomer = RowInserter<CustomerRow>.Create(Db, returnKey: true, unlessExists: [nameof(CustomerRow.OwnerParty), nameof(CustomerRow.CustomerRef)]);
        using var insertVehicle = RowInserter<VehicleIndexRow>.Create(Db);
        var outcomes = new UpsertOutcome[customers.Count];
        var vehicles = new List<VehicleIndexRow>();
        var pending = Enumerable.Range(0, customers.Count).ToList();
        while (pending.Count > 0)
        {
            var ids = await insertCustomer.InsertAllAsync(pending.Select(i => RowOf(customers[i])).ToList(), cancellationToken).ConfigureAwait(false);
            var existing = new List<int>();
            for (var j = 0; j < pending.Count; j++)
            {
                if (ids[j] == 0)
                {
                    existing.Add(pending[j]);
                    continue;
                }

                outcomes[pending[j]] = UpsertOutcome.Created;
                foreach (var vehicle in VehiclesOf(customers[pending[j]].Record))
                {
                    vehicle.CustomerId = ids[j];
                    vehicles.Add(vehicle);
                }
            }

            // A record another transaction deleted after the insert found it is not there to replace: it is inserted again.
            pending = await ReplaceAsync(customers, existing, outcomes, cancellationToken).ConfigureAwait(false);
        }

        await insertVehicle.InsertAllAsync(vehicles, cancellationToken).ConfigureAwait(false);
        await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return outcomes;
    }

    // Loads the stored records of customers[existing] and replaces those that differ; returns those not found.
    private async Task<List<int>> ReplaceAsync(IReadOnlyList<StoredCustomer> customers, List<int> existing, UpsertOutcome[] outcomes, CancellationToken cancellationToken)
    {
        var missing = new List<int>();
        foreach (var garage in existing.GroupBy(i => customers[i].Record.OwnerParty, StringComparer.Ordinal))
        {
            var byRef = garage.ToDictionary(i => customers[i].Record.CustomerRef, StringComparer.Ordinal);
            var refs = byRef.Keys.ToList();
            var rows = await Db.Customers.Include(c => c.Vehicles).Where(c => c.OwnerParty == garage.Key && refs.Contains(c.CustomerRef))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var row in rows)
            {
                var index = byRef[row.CustomerRef];
                byRef.Remove(row.CustomerRef);
                var customer = customers[index];
                if (row.Data.AsSpan().SequenceEqual(customer.Encoded))
                {
                    outcomes[index] = UpsertOutcome.Unchanged;
                    continue;
                }

                outcomes[index] = UpsertOutcome.Replaced;
                row.Data = customer.Encoded;
                row.Prefecture = NullIfEmpty(customer.Record.Contact?.Address?.Prefecture);
                row.UpdatedAt = customer.UpdatedAt;
                row.Vehicles.Clear();
                row.Vehicles.AddRange(VehiclesOf(customer.Record));
            }

            missing.AddRange(byRef.Values);
        }

        return missing;
    }

    private static CustomerRow RowOf(StoredCustomer customer) => new()
    {
        OwnerParty = customer.Record.OwnerParty,
        CustomerRef = customer.Record.CustomerRef,
        SubjectId = customer.SubjectId,
        Data = customer.Encoded,
        Prefecture = NullIfEmpty(customer.Record.Contact?.Address?.Prefecture),
        CreatedAt = customer.UpdatedAt,
        UpdatedAt = customer.UpdatedAt,
    };

    // The vehicle index rows go by the foreign key's cascade (SQLite's foreign keys are on for every connection EF opens).
    public async Task<bool> DeleteAsync(string ownerParty, string customerRef, CancellationToken cancellationToken) =>
        await Db.Customers.Where(c => c.OwnerParty == ownerParty && c.CustomerRef == customerRef).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0;

    public async Task<IReadOnlyList<FoundCustomer>> SearchPageAsync(CustomerFilter filter, SearchPosition? after, int count, string? optedOutOf, CancellationToken cancellationToken)
    {
        // Keyset pages along an index, so that a page reads only its own rows: one garage's customers
        // along the (owner, customer_ref) index, everyone's along the primary key. Ordering one
        // garage's customers by the key instead made SQLite, which keeps no statistics here, read and
        // sort all of that garage's rows for every page.
        var query = Db.Customers.AsNoTracking();
        if (filter.OwnerParty is not null)
        {
            var afterRef = after?.CustomerRef ?? "";
            query = query.Where(c => c.OwnerParty == filter.OwnerParty && c.CustomerRef.CompareTo(afterRef) > 0).OrderBy(c => c.CustomerRef);
        }
        else
        {
            var afterId = after?.Position ?? 0;
            query = query.Where(c => c.Id > afterId).OrderBy(c => c.Id);
        }

        if (filter.Prefecture is not null)
        {
            query = query.Where(c => c.Prefecture == filter.Prefecture);
        }

        if (filter.ModelCodes.Count > 0)
        {
            var codes = filter.ModelCodes.ToList();
            query = query.Where(c => c.Vehicles.Any(v => v.ModelCode != null && codes.Contains(v.ModelCode)));
        }

        var found = await query.Take(count)
            .Select(c => new
            {
                c.Id,
                c.CustomerRef,
                c.SubjectId,
                c.Data,
                c.UpdatedAt,
                c.OwnerParty,
                OwnerStatus = Db.Parties.Where(p => p.Id == c.OwnerParty).Select(p => p.Status).FirstOrDefault(),
                OptedOut = optedOutOf != null && Db.OptOuts.Any(o => o.SubjectId == c.SubjectId && o.Purpose == optedOutOf),
            })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return found.Select(f => new FoundCustomer(f.Id, new EncodedCustomer(f.SubjectId, f.Data, f.UpdatedAt), f.OwnerParty, f.CustomerRef, StatusOf(f.OwnerStatus), f.OptedOut)).ToList();
    }

    public async IAsyncEnumerable<EncodedCustomer> ScanAsync(string? ownerParty, string? excludeOptedOutOf, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = Db.Customers.AsNoTracking().Where(c => Db.Parties.Any(p => p.Id == c.OwnerParty && p.Status == ActiveStatus));
        if (ownerParty is not null)
        {
            query = query.Where(c => c.OwnerParty == ownerParty);
        }

        if (excludeOptedOutOf is not null)
        {
            query = query.Where(c => !Db.OptOuts.Any(o => o.SubjectId == c.SubjectId && o.Purpose == excludeOptedOutOf));
        }

        await foreach (var customer in Encoded(query.OrderBy(c => c.Id)).AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return customer;
        }
    }

    public async Task<IReadOnlySet<string>> OptedOutAsync(string purpose, IReadOnlyCollection<string> subjectIds, CancellationToken cancellationToken)
    {
        var subjects = subjectIds.ToList();
        var found = await Db.OptOuts.AsNoTracking().Where(o => o.Purpose == purpose && subjects.Contains(o.SubjectId)).Select(o => o.SubjectId).ToListAsync(cancellationToken).ConfigureAwait(false);
        return found.ToHashSet(StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<PersonOptOut>> OptOutsOfAsync(string subjectId, CancellationToken cancellationToken) =>
        (await Db.OptOuts.AsNoTracking().Where(o => o.SubjectId == subjectId).ToListAsync(cancellationToken).ConfigureAwait(false))
        .OrderBy(o => o.Purpose, StringComparer.Ordinal)
        .Select(o => new PersonOptOut(o.Purpose, o.At))
        .ToList();

    public async Task SetOptOutAsync(string subjectId, string purpose, bool optedOut, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var row = await Db.OptOuts.FindAsync([subjectId, purpose], cancellationToken).ConfigureAwait(false);
        if (optedOut && row is null)
        {
            Db.OptOuts.Add(new OptOutRow { SubjectId = subjectId, Purpose = purpose, At = at });
        }
        else if (!optedOut && row is not null)
        {
            Db.OptOuts.Remove(row);
        }

        await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    // Only the columns a read needs; the domain decodes what it may provide.
    private static IQueryable<EncodedCustomer> Encoded(IQueryable<CustomerRow> rows) =>
        rows.Select(c => new EncodedCustomer(c.SubjectId, c.Data, c.UpdatedAt));

    /// <summary>The vehicle index rows of a record, recall matching's normalised columns included.</summary>
    internal static IEnumerable<VehicleIndexRow> VehiclesOf(CustomerRecord record) => record.Vehicles.Select(v =>
    {
        var certificate = v.InspectionCertificate;
        var facts = RecallVehicle.Of(v);
        return new VehicleIndexRow
        {
            VehicleRef = v.VehicleRef,
            ChassisNumber = NullIfEmpty(certificate?.ChassisNumber),
            ModelCode = NullIfEmpty(certificate?.ModelCode),
            ChassisFrame = facts?.Frame,
            ChassisSerial = facts?.Serial,
            ModelCodeNormalised = NullIfEmpty(VehicleIdentifiers.Normalise(certificate?.ModelCode)),
            ModelBase = NullIfEmpty(VehicleIdentifiers.ModelBase(certificate?.ModelCode)),
            FirstRegistered = RecallVehicle.MonthOf(certificate?.FirstRegistration),
        };
    });

    // An unknown status reads as no standing at all: the domain refuses it.
    private static PartyStatus? StatusOf(string? status) =>
        status is not null && Enum.TryParse<PartyStatus>(status, out var parsed) ? parsed : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
