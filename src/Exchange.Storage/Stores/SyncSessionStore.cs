using Exchange.Domain.Records;
using Exchange.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Exchange.Storage.Stores;

internal sealed class SyncSessionStore(Lazy<ExchangeDbContext> context) : ISyncSessionStore
{
    private ExchangeDbContext Db => context.Value;

    public async Task CreateAsync(SyncSession session, CancellationToken cancellationToken)
    {
        Db.SyncSessions.Add(new SyncSessionRow
        {
            Id = session.Id,
            PartyId = session.Party,
            Purpose = session.Purpose,
            AcknowledgedSequence = session.Acknowledged,
            CreatedAt = session.CreatedAt,
            UpdatedAt = session.UpdatedAt,
        });
        await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<SyncSession?> FindAsync(string id, CancellationToken cancellationToken) =>
        await Db.SyncSessions.AsNoTracking().Where(s => s.Id == id)
            .Select(s => new SyncSession(s.Id, s.PartyId, s.Purpose, s.AcknowledgedSequence, s.CreatedAt, s.UpdatedAt))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);

    // One conditional statement: on PostgreSQL a second writer waits on the row and then finds it moved.
    public async Task<bool> AdvanceAsync(string id, long from, long to, DateTimeOffset at, CancellationToken cancellationToken) =>
        await Db.SyncSessions.Where(s => s.Id == id && s.AcknowledgedSequence == from)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.AcknowledgedSequence, to).SetProperty(s => s.UpdatedAt, at), cancellationToken).ConfigureAwait(false) == 1;
}
