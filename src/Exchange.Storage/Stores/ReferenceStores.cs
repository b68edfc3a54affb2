using DeclarationContent = Exchange.Contracts.V1.DeclarationContent;
using Exchange.Domain.Declarations;
using Exchange.Domain.Parties;
using Exchange.Domain.Policy;
using Grant = Exchange.Domain.Policy.Grant;
using Exchange.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Exchange.Storage.Stores;

internal sealed class PartyDirectory(Lazy<ExchangeDbContext> context) : IPartyDirectory
{
    private ExchangeDbContext Db => context.Value;

    public async Task<Party?> FindAsync(string partyId, CancellationToken cancellationToken) =>
        await Db.Parties.AsNoTracking().FirstOrDefaultAsync(p => p.Id == partyId, cancellationToken).ConfigureAwait(false) is { } row
            ? FromRow(row)
            : null;

    internal static Party FromRow(PartyRow row) =>
        new(row.Id, PartyRoles.TryParse(row.Role, out var role) ? role : throw new InvalidDataException($"Unknown role '{row.Role}'."), Enum.Parse<PartyStatus>(row.Status), row.NameJa, row.NameEn);
}

internal sealed class VendorAuthorisationStore(Lazy<ExchangeDbContext> context) : IVendorAuthorisations
{
    private ExchangeDbContext Db => context.Value;

    private static readonly string ActiveStatus = nameof(PartyStatus.Active);

    public async Task<IReadOnlyList<VendorAuthorisation>> FindAsync(string garageId, string vendorId, CancellationToken cancellationToken) =>
        // A suspended or withdrawn garage's authorisations cover nothing: no data moves in its name.
        (await Db.VendorAuthorisations.AsNoTracking()
            .Where(a => a.GarageId == garageId && a.VendorId == vendorId && Db.Parties.Any(p => p.Id == garageId && p.Status == ActiveStatus))
            .ToListAsync(cancellationToken).ConfigureAwait(false))
        .Select(a => new VendorAuthorisation(a.GarageId, a.VendorId, a.ValidFrom, a.ValidUntil, a.Operations.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)))
        .ToList();
}

internal sealed class DeclarationStore(Lazy<ExchangeDbContext> context, UnitOfWork unitOfWork, SnapshotCache<IReadOnlyList<DeclarationRecord>> cache) : IDeclarationStore
{
    private ExchangeDbContext Db => context.Value;

    public Task<IReadOnlyList<DeclarationRecord>> ListAsync(CancellationToken cancellationToken) => cache.GetAsync(LoadAsync, cancellationToken);

    public async Task AddAsync(DeclarationRecord record, CancellationToken cancellationToken)
    {
        Db.Declarations.Add(new DeclarationRow { Version = record.Version, PublishedAt = record.PublishedAt, EffectiveAt = record.EffectiveAt, Content = Google.Protobuf.MessageExtensions.ToByteArray(record.Content), Hash = record.Hash });
        await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await ReferenceDataVersion.RaiseAsync(Db, cancellationToken).ConfigureAwait(false);
        unitOfWork.AfterCommit(cache.Invalidate);
    }

    private async Task<IReadOnlyList<DeclarationRecord>> LoadAsync(CancellationToken cancellationToken)
    {
        var rows = await Db.Declarations.AsNoTracking().OrderBy(d => d.Version).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(row =>
        {
            var record = new DeclarationRecord(row.Version, row.PublishedAt, row.EffectiveAt, DeclarationContent.Parser.ParseFrom(row.Content));
            // Published versions never change: a stored version that no longer hashes to its hash was tampered with.
            return record.Hash == row.Hash ? record : throw new InvalidDataException($"Declaration version {row.Version} does not match its recorded hash.");
        }).ToList();
    }
}

internal sealed class GrantStore(Lazy<ExchangeDbContext> context, UnitOfWork unitOfWork, SnapshotCache<IReadOnlyList<Grant>> cache) : IGrantStore
{
    private ExchangeDbContext Db => context.Value;

    public Task<IReadOnlyList<Grant>> ListAsync(CancellationToken cancellationToken) => cache.GetAsync(LoadAsync, cancellationToken);

    public async Task SetAsync(Grant grant, CancellationToken cancellationToken)
    {
        var kind = grant.Kind.ToString();
        var row = await Db.Grants.FirstOrDefaultAsync(g => g.SubjectKind == kind && g.Subject == grant.Subject && g.Purpose == grant.Purpose, cancellationToken).ConfigureAwait(false);
        var items = string.Join(' ', grant.Items.Order(StringComparer.Ordinal));
        if (row is null)
        {
            Db.Grants.Add(new GrantRow { SubjectKind = kind, Subject = grant.Subject, Purpose = grant.Purpose, Items = items });
        }
        else
        {
            row.Items = items;
        }

        await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await ReferenceDataVersion.RaiseAsync(Db, cancellationToken).ConfigureAwait(false);
        unitOfWork.AfterCommit(cache.Invalidate);
    }

    public async Task<bool> RemoveAsync(GrantSubjectKind kind, string subject, string purpose, CancellationToken cancellationToken)
    {
        var name = kind.ToString();
        var removed = await Db.Grants.Where(g => g.SubjectKind == name && g.Subject == subject && g.Purpose == purpose).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0;
        await ReferenceDataVersion.RaiseAsync(Db, cancellationToken).ConfigureAwait(false);
        unitOfWork.AfterCommit(cache.Invalidate);
        return removed;
    }

    private async Task<IReadOnlyList<Grant>> LoadAsync(CancellationToken cancellationToken) =>
        (await Db.Grants.AsNoTracking().OrderBy(g => g.Id).ToListAsync(cancellationToken).ConfigureAwait(false))
        .Select(g => new Grant(Enum.Parse<GrantSubjectKind>(g.SubjectKind), g.Subject, g.Purpose, g.Items.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)))
        .ToList();
}
