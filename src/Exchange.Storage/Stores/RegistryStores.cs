using Exchange.Domain.Audit;
using Exchange.Domain.Parties;
using Exchange.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Exchange.Storage.Stores;

internal sealed class PartyRegistryStore(Lazy<ExchangeDbContext> context) : IPartyRegistryStore
{
    private ExchangeDbContext Db => context.Value;

    public async Task<PartyDetails?> FindAsync(string partyId, CancellationToken cancellationToken) =>
        await Db.Parties.AsNoTracking().FirstOrDefaultAsync(p => p.Id == partyId, cancellationToken).ConfigureAwait(false) is { } row
            ? Details(row)
            : null;

    public async Task<IReadOnlyList<PartyDetails>> ListAsync(PartyRole? role, PartyStatus? status, CancellationToken cancellationToken)
    {
        var query = Db.Parties.AsNoTracking();
        if (role is { } r)
        {
            var wire = r.ToWire();
            query = query.Where(p => p.Role == wire);
        }

        if (status is { } s)
        {
            var name = s.ToString();
            query = query.Where(p => p.Status == name);
        }

        return (await query.OrderBy(p => p.Id).ToListAsync(cancellationToken).ConfigureAwait(false)).Select(Details).ToList();
    }

    public Task AddAsync(PartyDetails party, CancellationToken cancellationToken)
    {
        var p = party.Party;
        Db.Parties.Add(new PartyRow { Id = p.Id, Role = p.Role.ToWire(), Status = p.Status.ToString(), NameJa = p.NameJa, NameEn = p.NameEn, Contact = party.Contact, CreatedAt = party.CreatedAt, UpdatedAt = party.UpdatedAt });
        return Task.CompletedTask;
    }

    public async Task SetStatusAsync(string partyId, PartyStatus status, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var row = await Db.Parties.FirstAsync(p => p.Id == partyId, cancellationToken).ConfigureAwait(false);
        row.Status = status.ToString();
        row.UpdatedAt = at;
    }

    private static PartyDetails Details(PartyRow row) => new(PartyDirectory.FromRow(row), row.Contact, row.CreatedAt, row.UpdatedAt);
}

internal sealed class AuthorisationRegistryStore(Lazy<ExchangeDbContext> context) : IAuthorisationRegistryStore
{
    private ExchangeDbContext Db => context.Value;

    public async Task<RecordedAuthorisation> AddAsync(VendorAuthorisation authorisation, string recordedBy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var row = new VendorAuthorisationRow
        {
            GarageId = authorisation.GarageId,
            VendorId = authorisation.VendorId,
            ValidFrom = authorisation.ValidFrom,
            ValidUntil = authorisation.ValidUntil,
            Operations = string.Join(' ', authorisation.Operations.Order(StringComparer.Ordinal)),
            RecordedAt = at,
            RecordedBy = recordedBy,
        };
        Db.VendorAuthorisations.Add(row);
        // The ID is the database's; the surrounding transaction still decides whether it stays.
        await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return Recorded(row);
    }

    public async Task<RecordedAuthorisation?> FindAsync(long id, CancellationToken cancellationToken) =>
        await Db.VendorAuthorisations.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken).ConfigureAwait(false) is { } row ? Recorded(row) : null;

    public async Task<IReadOnlyList<RecordedAuthorisation>> ListAsync(string? garageId, string? vendorId, CancellationToken cancellationToken)
    {
        var query = Db.VendorAuthorisations.AsNoTracking();
        if (garageId is not null)
        {
            query = query.Where(a => a.GarageId == garageId);
        }

        if (vendorId is not null)
        {
            query = query.Where(a => a.VendorId == vendorId);
        }

        return (await query.OrderBy(a => a.Id).ToListAsync(cancellationToken).ConfigureAwait(false)).Select(Recorded).ToList();
    }

    public async Task<RecordedAuthorisation> RevokeAsync(long id, string revokedBy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var row = await Db.VendorAuthorisations.FirstAsync(a => a.Id == id, cancellationToken).ConfigureAwait(false);
        row.RevokedAt = at;
        row.RevokedBy = revokedBy;
        if (row.ValidUntil is null || row.ValidUntil > at)
        {
            row.ValidUntil = at;
        }

        return Recorded(row);
    }

    private static RecordedAuthorisation Recorded(VendorAuthorisationRow row) => new(
        row.Id,
        new VendorAuthorisation(row.GarageId, row.VendorId, row.ValidFrom, row.ValidUntil, row.Operations.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)),
        row.RecordedAt,
        row.RecordedBy,
        row.RevokedAt,
        row.RevokedBy);
}

internal sealed class HubAuditLogStore(Lazy<ExchangeDbContext> context) : IHubAuditLog
{
    private ExchangeDbContext Db => context.Value;

    public Task AppendAsync(HubAuditEvent auditEvent, CancellationToken cancellationToken)
    {
        Db.HubAudit.Add(new HubAuditRow { Time = auditEvent.Time, Actor = auditEvent.Actor, Action = auditEvent.Action, Subject = auditEvent.Subject, Details = auditEvent.Details, StaffId = auditEvent.StaffId });
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<RecordedAuditEvent>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var rows = Db.HubAudit.AsNoTracking();
        if (!string.IsNullOrEmpty(query.Subject))
        {
            rows = rows.Where(a => a.Subject == query.Subject);
        }

        if (!string.IsNullOrEmpty(query.ActionPrefix))
        {
            rows = rows.Where(a => a.Action.StartsWith(query.ActionPrefix));
        }

        if (query.BeforeSequence is { } before)
        {
            rows = rows.Where(a => a.Sequence < before);
        }

        return (await rows.OrderByDescending(a => a.Sequence).Take(query.Limit).ToListAsync(cancellationToken).ConfigureAwait(false))
            .Select(a => new RecordedAuditEvent(a.Sequence, new HubAuditEvent(a.Time, a.Actor, a.Action, a.Subject, a.Details, a.StaffId)))
            .ToList();
    }
}
