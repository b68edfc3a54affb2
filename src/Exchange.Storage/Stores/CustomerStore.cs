using Exchange.Contracts.V1;
using Exchange.Domain.Records;
using Exchange.Storage.Entities;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace Exchange.Storage.Stores;

internal sealed class CustomerStore(ExchangeDbContext db) : ICustomerStore
{
    public async Task<StoredCustomer?> FindAsync(string ownerParty, string customerRef, CancellationToken cancellationToken) =>
        await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.OwnerParty == ownerParty && c.CustomerRef == customerRef, cancellationToken).ConfigureAwait(false) is { } row
            ? FromRow(row)
            : null;

    public async Task<bool> UpsertAsync(StoredCustomer customer, CancellationToken cancellationToken)
    {
        var record = customer.Record;
        var row = await db.Customers.Include(c => c.Vehicles)
            .FirstOrDefaultAsync(c => c.OwnerParty == record.OwnerParty && c.CustomerRef == record.CustomerRef, cancellationToken).ConfigureAwait(false);
        var created = row is null;
        if (row is null)
        {
            row = new CustomerRow { OwnerParty = record.OwnerParty, CustomerRef = record.CustomerRef, SubjectId = customer.SubjectId, Data = [], CreatedAt = customer.UpdatedAt };
            db.Customers.Add(row);
        }

        row.Data = record.ToByteArray();
        row.Prefecture = NullIfEmpty(record.Contact?.Address?.Prefecture);
        row.UpdatedAt = customer.UpdatedAt;
        row.Vehicles.Clear();
        row.Vehicles.AddRange(record.Vehicles.Select(v => new VehicleIndexRow
        {
            VehicleRef = v.VehicleRef,
            ChassisNumber = NullIfEmpty(v.InspectionCertificate?.ChassisNumber),
            ModelCode = NullIfEmpty(v.InspectionCertificate?.ModelCode),
        }));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return created;
    }

    public async Task<IReadOnlyList<StoredCustomer>> SearchAsync(CustomerFilter filter, CancellationToken cancellationToken)
    {
        var query = db.Customers.AsNoTracking();
        if (filter.OwnerParty is not null)
        {
            query = query.Where(c => c.OwnerParty == filter.OwnerParty);
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

        var rows = await query.OrderBy(c => c.Id).Take(filter.Limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(FromRow).ToList();
    }

    public async Task<IReadOnlySet<string>> OptedOutAsync(string purpose, IReadOnlyCollection<string> subjectIds, CancellationToken cancellationToken)
    {
        var subjects = subjectIds.ToList();
        var found = await db.OptOuts.AsNoTracking().Where(o => o.Purpose == purpose && subjects.Contains(o.SubjectId)).Select(o => o.SubjectId).ToListAsync(cancellationToken).ConfigureAwait(false);
        return found.ToHashSet(StringComparer.Ordinal);
    }

    public async Task SetOptOutAsync(string subjectId, string purpose, bool optedOut, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var row = await db.OptOuts.FindAsync([subjectId, purpose], cancellationToken).ConfigureAwait(false);
        if (optedOut && row is null)
        {
            db.OptOuts.Add(new OptOutRow { SubjectId = subjectId, Purpose = purpose, At = at });
        }
        else if (!optedOut && row is not null)
        {
            db.OptOuts.Remove(row);
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    private static StoredCustomer FromRow(CustomerRow row) => new(row.SubjectId, CustomerRecord.Parser.ParseFrom(row.Data), row.UpdatedAt);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
