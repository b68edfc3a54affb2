using Exchange.Contracts.V1;
using Exchange.Domain.Feed;
using Exchange.Storage.Entities;
using Exchange.Storage.Postgres;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Exchange.Storage.Stores;

internal sealed class FeedStore(Lazy<ExchangeDbContext> context, UnitOfWork unitOfWork, FeedHead head, TimeProvider time) : IFeedStore
{
    private ExchangeDbContext Db => context.Value;

    public async Task AppendAsync(IReadOnlyList<FeedEntry> entries, CancellationToken cancellationToken)
    {
        var transaction = Db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Feed events are stored inside a unit of work only.");
        // Sequences are drawn under the lock held to commit, so a later sequence never commits first.
        await PostgresChainLock.TakeAsync(transaction, cancellationToken).ConfigureAwait(false);
        var before = await StoredHeadAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var keyed = entries.Any(e => e.DedupKey is not null);
        using (var insert = RowInserter<FeedEventRow>.Create(Db, unlessExists: keyed ? [nameof(FeedEventRow.DedupKey)] : null))
        {
            await insert.InsertAllAsync(entries.Select(e => ToRow(e, now)).ToList(), cancellationToken).ConfigureAwait(false);
        }

        var after = await StoredHeadAsync(cancellationToken).ConfigureAwait(false);
        if (after > before)
        {
            var recipients = entries.Select(e => e.Recipient).ToHashSet(StringComparer.Ordinal);
            unitOfWork.AfterCommit(() => head.Stored(recipients, before, after));
        }
    }

    public async Task<IReadOnlyList<StoredFeedEvent>> ReadAsync(string recipient, long after, int count, CancellationToken cancellationToken) =>
        await Db.FeedEvents.AsNoTracking()
            .Where(f => (f.Recipient == recipient || f.Recipient == FeedEntry.Broadcast) && f.Sequence > after)
            .OrderBy(f => f.Sequence)
            .Take(count)
            .Select(f => new StoredFeedEvent(f.Sequence, f.Body))
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    public async Task<long> PrunedThroughAsync(string recipient, CancellationToken cancellationToken) =>
        await Db.FeedHorizons.AsNoTracking()
            .Where(h => h.Recipient == recipient || h.Recipient == FeedEntry.Broadcast)
            .MaxAsync(h => (long?)h.PrunedThrough, cancellationToken).ConfigureAwait(false) ?? 0;

    public async Task<long> HeadAsync(CancellationToken cancellationToken)
    {
        var stored = await StoredHeadAsync(cancellationToken).ConfigureAwait(false);
        var pruned = await Db.FeedHorizons.AsNoTracking().MaxAsync(h => (long?)h.PrunedThrough, cancellationToken).ConfigureAwait(false) ?? 0;
        return Math.Max(stored, pruned);
    }

    public async Task<int> PruneAsync(DateTimeOffset storedBefore, CancellationToken cancellationToken)
    {
        var transaction = Db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Feed events are pruned inside a unit of work only.");
        // Under the lock no event is being stored, so what is disposed of and the horizon recorded agree.
        await PostgresChainLock.TakeAsync(transaction, cancellationToken).ConfigureAwait(false);
        var pruned = await Db.FeedEvents.Where(f => f.StoredAt < storedBefore)
            .GroupBy(f => f.Recipient)
            .Select(g => new { Recipient = g.Key, Through = g.Max(f => f.Sequence) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (pruned.Count == 0)
        {
            return 0;
        }

        var recipients = pruned.Select(p => p.Recipient).ToList();
        var horizons = await Db.FeedHorizons.Where(h => recipients.Contains(h.Recipient)).ToDictionaryAsync(h => h.Recipient, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
        foreach (var p in pruned)
        {
            if (horizons.TryGetValue(p.Recipient, out var horizon))
            {
                horizon.PrunedThrough = Math.Max(horizon.PrunedThrough, p.Through);
            }
            else
            {
                Db.FeedHorizons.Add(new FeedHorizonRow { Recipient = p.Recipient, PrunedThrough = p.Through });
            }
        }

        await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var through = pruned.Max(p => p.Through);
        return await Db.FeedEvents.Where(f => f.StoredAt < storedBefore && f.Sequence <= through).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<EarlierProvision>> EarlierProvisionsAsync(IReadOnlyCollection<string> subjectIds, CancellationToken cancellationToken)
    {
        var subjects = subjectIds.ToList();
        IQueryable<ProvisionEntryRow> entries;
        if (Db.LogIndexedBySubject)
        {
            entries = Db.ProvisionEntries.Where(p => subjects.Contains(p.SubjectId!));
        }
        else
        {
            // The indexed entries and the tail not indexed yet, in one statement (as ProvisionLogStore.ListForSubjectAsync).
            var watermark = Db.SubjectIndexState.Select(i => (long?)i.IndexedThrough);
            var indexed = from s in Db.ProvisionSubjects
                          where subjects.Contains(s.SubjectId) && s.Sequence <= (watermark.Max() ?? 0)
                          join p in Db.ProvisionEntries on s.Sequence equals p.Sequence
                          select p;
            var tail = Db.ProvisionEntries.Where(p => p.Sequence > (watermark.Max() ?? 0) && subjects.Contains(p.SubjectId!));
            entries = indexed.Concat(tail);
        }

        var provided = (int)ProvisionOutcome.Provided;
        var found = await (from p in entries.AsNoTracking()
                           join t in Db.ProvisionTerms.AsNoTracking() on p.TermsId equals t.Id
                           where t.Outcome == provided && t.Recipient != t.Provider
                           select new { p.Sequence, p.SubjectId, t.Provider, t.Recipient, t.Purpose, t.Items })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return found.Select(f => new EarlierProvision(f.Sequence, f.SubjectId!, f.Provider, f.Recipient, f.Purpose, f.Items.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
    }

    public async Task<IReadOnlyList<SentFeedEvent>> SentForRequestAsync(string requestId, CancellationToken cancellationToken) =>
        await Db.FeedEvents.AsNoTracking()
            .Where(f => f.RequestId == requestId)
            .OrderBy(f => f.Sequence)
            .Select(f => new SentFeedEvent(f.Sequence, f.Recipient, f.StoredAt))
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    private async Task<long> StoredHeadAsync(CancellationToken cancellationToken) =>
        await Db.FeedEvents.MaxAsync(f => (long?)f.Sequence, cancellationToken).ConfigureAwait(false) ?? 0;

    private static FeedEventRow ToRow(FeedEntry entry, DateTimeOffset now) => new()
    {
        OccurredAt = entry.OccurredAt,
        StoredAt = now,
        Kind = (int)entry.Kind,
        Recipient = entry.Recipient,
        OwnerParty = entry.OwnerParty,
        CustomerRef = entry.CustomerRef,
        SubjectId = entry.SubjectId,
        Purpose = entry.Purpose,
        Items = entry.Items.Count == 0 ? null : string.Join(' ', entry.Items),
        Body = entry.Body,
        DedupKey = entry.DedupKey,
        RequestId = entry.RequestId,
    };
}
