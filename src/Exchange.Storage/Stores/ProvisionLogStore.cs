using System.Data.Common;
using System.Runtime.CompilerServices;
using Exchange.Domain.Provisions;
using Exchange.Storage.Entities;
using Exchange.Storage.Postgres;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Exchange.Storage.Stores;

internal sealed class ProvisionLogStore(Lazy<ExchangeDbContext> context, ConnectionLeases leases, ProvisionTerms terms, UnitOfWork unitOfWork, IProvisionObserver? observer = null) : IProvisionLogStore
{
    // Entries per statement of ReadRangeAsync: few enough to hold in memory, enough that a walk spends its time hashing.
    private const int RangePage = 4096;

    private ExchangeDbContext Db => context.Value;

    /// <summary>The chain's head: its sequence and entry hash.</summary>
    internal static readonly SqlText HeadSql = new(n =>
    {
        var sequence = n.Column<ProvisionEntryRow>(nameof(ProvisionEntryRow.Sequence));
        return $"SELECT {sequence}, {n.Column<ProvisionEntryRow>(nameof(ProvisionEntryRow.EntryHash))} FROM {n.Table<ProvisionEntryRow>()} ORDER BY {sequence} DESC LIMIT 1";
    });

    public async Task<IReadOnlyList<ChainedProvision>> AppendAsync(IReadOnlyList<ProvisionFact> facts, CancellationToken cancellationToken)
    {
        var transaction = Db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Provision-log entries are appended inside a unit of work only.");
        observer?.Recording(facts);
        using var activity = StorageActivity.Source.StartActivity("provision_log.append");
        activity?.SetTag("exchange.provision_log.entries", facts.Count);
        using var head = transaction.Connection!.CreateCommand();
        head.Transaction = transaction;
        head.CommandText = HeadSql.For(leases.Names);
        using var insert = RowInserter<ProvisionEntryRow>.Create(Db);
        var added = new List<KeyValuePair<string, int>>();
        var linked = await AppendAsync(transaction, head, insert, terms, leases.Names, added, facts, cancellationToken).ConfigureAwait(false);
        unitOfWork.AfterCommit(() => terms.Committed(added));
        return linked;
    }

    /// <summary>
    /// Takes the chain lock in <paramref name="transaction"/>, then links <paramref name="facts"/>
    /// after the head <paramref name="head"/> reads and inserts them with <paramref name="insert"/>,
    /// their terms through <paramref name="terms"/>, all in that transaction: the one place entries are
    /// added, for a unit of work and for the <see cref="ProvisionLogWriter"/> alike. Entries therefore
    /// join the chain in commit order, and the Merkle tree's stored subtrees they complete are added
    /// with them (<see cref="TreeRows.AddCompletedAsync"/>). Terms added go to <paramref name="addedTerms"/>, for
    /// <see cref="ProvisionTerms.Committed"/> once the transaction commits.
    /// </summary>
    internal static async Task<IReadOnlyList<ChainedProvision>> AppendAsync(
        DbTransaction transaction, DbCommand head, RowInserter<ProvisionEntryRow> insert, ProvisionTerms terms, SchemaNames names,
        List<KeyValuePair<string, int>> addedTerms, IEnumerable<ProvisionFact> facts, CancellationToken cancellationToken)
    {
        await PostgresChainLock.TakeAsync(transaction, cancellationToken).ConfigureAwait(false);
        var (sequence, hash) = (0L, ProvisionChain.Genesis);
        var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                (sequence, hash) = (reader.GetInt64(0), names.Read<ProvisionEntryRow, string>(nameof(ProvisionEntryRow.EntryHash), reader.GetValue(1)));
            }
        }

        var linked = ProvisionChain.Link(sequence, hash, facts);
        var termIds = await terms.ResolveAsync(transaction, names, linked, addedTerms, cancellationToken).ConfigureAwait(false);
        await insert.InsertAllAsync(linked.Select((entry, i) => ToRow(entry, termIds[i])).ToList(), cancellationToken).ConfigureAwait(false);
        await TreeRows.AddCompletedAsync(transaction, names, sequence, linked.Count > 0 ? linked[^1].Sequence : sequence, cancellationToken).ConfigureAwait(false);

        return linked;
    }

    public async IAsyncEnumerable<ChainedProvision> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in Stored(Db.ProvisionEntries).OrderBy(e => e.Entry.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return row.ToChained();
        }
    }

    public async IAsyncEnumerable<ChainedProvision> ReadRangeAsync(long first, long last, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = first;
        while (next <= last)
        {
            var from = next;
            var page = await Stored(Db.ProvisionEntries.Where(p => p.Sequence >= from && p.Sequence <= last))
                .OrderBy(e => e.Entry.Sequence)
                .Take(RangePage)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var row in page)
            {
                yield return row.ToChained();
            }

            if (page.Count < RangePage)
            {
                yield break;
            }

            next = page[^1].Entry.Sequence + 1;
        }
    }

    public async Task<IReadOnlyList<ChainedProvision>> ListForSubjectAsync(string subjectId, CancellationToken cancellationToken)
    {
        // The indexed entries and the tail not indexed yet, in one statement: one snapshot, so an
        // indexing pass committing meanwhile neither hides an entry nor shows it twice.
        if (Db.LogIndexedBySubject)
        {
            return (await Stored(Db.ProvisionEntries.Where(p => p.SubjectId == subjectId)).OrderBy(e => e.Entry.Sequence).ToListAsync(cancellationToken).ConfigureAwait(false))
                .Select(e => e.ToChained()).ToList();
        }

        var watermark = IndexedThrough;
        var indexed = from s in Db.ProvisionSubjects
                      where s.SubjectId == subjectId && s.Sequence <= (watermark.Max() ?? 0)
                      join p in Db.ProvisionEntries on s.Sequence equals p.Sequence
                      select p;
        var tail = Db.ProvisionEntries.Where(p => p.Sequence > (watermark.Max() ?? 0) && p.SubjectId == subjectId);
        return (await Stored(indexed.Concat(tail)).OrderBy(e => e.Entry.Sequence).ToListAsync(cancellationToken).ConfigureAwait(false))
            .Select(e => e.ToChained()).ToList();
    }

    public Task<long?> FirstMisindexedAsync(long after, CancellationToken cancellationToken)
    {
        if (Db.LogIndexedBySubject)
        {
            // An index cannot disagree with its table.
            return Task.FromResult<long?>(null);
        }

        // In one statement, so that an indexing pass committing meanwhile is seen whole or not at all.
        var watermark = IndexedThrough;
        var stray = from s in Db.ProvisionSubjects
                    join p in Db.ProvisionEntries on s.Sequence equals p.Sequence into entries
                    from p in entries.DefaultIfEmpty()
                    where s.Sequence > after
                    where p == null || p.SubjectId != s.SubjectId || s.Sequence > (watermark.Max() ?? 0)
                    select s.Sequence;
        var missing = from p in Db.ProvisionEntries
                      where p.Sequence > after && p.SubjectId != null && p.Sequence <= (watermark.Max() ?? 0)
                          && !Db.ProvisionSubjects.Any(s => s.SubjectId == p.SubjectId && s.Sequence == p.Sequence)
                      select p.Sequence;
        return stray.Concat(missing).OrderBy(sequence => sequence).Select(sequence => (long?)sequence).FirstOrDefaultAsync(cancellationToken);
    }

    // Through which sequence the lookup by person is filled, as a subquery (one row, or none on a database not migrated).
    private IQueryable<long?> IndexedThrough => Db.SubjectIndexState.Select(i => (long?)i.IndexedThrough);

    public async Task<ChainedProvision?> HeadAsync(CancellationToken cancellationToken)
    {
        return (await Stored(Db.ProvisionEntries).OrderByDescending(e => e.Entry.Sequence).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false))?.ToChained();
    }

    public Task<IReadOnlyList<ProvisionCheckpoint>> ListCheckpointsAsync(CancellationToken cancellationToken) => ListCheckpointsFromAsync(0, cancellationToken);

    public async Task<IReadOnlyList<ProvisionCheckpoint>> ListCheckpointsFromAsync(long sequence, CancellationToken cancellationToken) =>
        (await Db.Checkpoints.AsNoTracking().Where(c => c.Sequence >= sequence).OrderBy(c => c.Sequence).ToListAsync(cancellationToken).ConfigureAwait(false))
        .Select(c => new ProvisionCheckpoint(c.Sequence, c.EntryHash, c.SignedAt, c.Signature)).ToList();

    public async Task<VerifiedCheckpoint?> LastVerifiedAsync(CancellationToken cancellationToken) =>
        await Db.VerifiedCheckpoints.AsNoTracking().OrderByDescending(v => v.Sequence).ThenByDescending(v => v.Id)
            .Select(v => new VerifiedCheckpoint(v.Sequence, v.EntryHash, v.VerifiedAt, v.Signature))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);

    public async Task AddVerifiedAsync(VerifiedCheckpoint verified, CancellationToken cancellationToken)
    {
        Db.VerifiedCheckpoints.Add(new VerifiedCheckpointRow { Sequence = verified.Sequence, EntryHash = verified.EntryHash, VerifiedAt = verified.VerifiedAt, Signature = verified.Signature });
        await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task AddCheckpointAsync(ProvisionCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        Db.Checkpoints.Add(new CheckpointRow { Sequence = checkpoint.Sequence, EntryHash = checkpoint.EntryHash, SignedAt = checkpoint.SignedAt, Signature = checkpoint.Signature });
        await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<LogCoverage> CoverageAsync(CancellationToken cancellationToken)
    {
        var watermark = await IndexedThrough.MaxAsync(cancellationToken).ConfigureAwait(false) ?? 0;
        var indexed = await Db.ProvisionSubjects.MaxAsync(s => (long?)s.Sequence, cancellationToken).ConfigureAwait(false) ?? 0;
        var (seen, seenBy) = watermark >= indexed ? (watermark, "the lookup by person's watermark") : (indexed, "the lookup by person");
        return new LogCoverage(seen, seen > 0 ? seenBy : null);
    }

    // Entries with their terms (none when missing: verification then reports the entry altered) and the hash of the entry before.
    private IQueryable<StoredEntry> Stored(IQueryable<ProvisionEntryRow> entries) =>
        from p in entries.AsNoTracking()
        from t in Db.ProvisionTerms.AsNoTracking().Where(t => t.Id == p.TermsId).DefaultIfEmpty()
        select new StoredEntry
        {
            Entry = p,
            Terms = t,
            PreviousHash = Db.ProvisionEntries.Where(q => q.Sequence == p.Sequence - 1).Select(q => q.EntryHash).FirstOrDefault(),
        };

    // Entries per transaction of a reduction: each holds the write gate briefly, so calls go on meanwhile.
    private const int ReductionBatch = 50_000;

    // The lookup rows of the entries about to lose their subject, found by primary key through the entries (the lookup has no index by sequence alone).
    private static readonly SqlText UnindexSql = new(n =>
    {
        var (subjects, entries) = (n.Table<ProvisionSubjectRow>(), n.Table<ProvisionEntryRow>());
        var (subject, sequence) = (n.Column<ProvisionSubjectRow>(nameof(ProvisionSubjectRow.SubjectId)), n.Column<ProvisionSubjectRow>(nameof(ProvisionSubjectRow.Sequence)));
        var (entrySubject, entrySequence) = (n.Column<ProvisionEntryRow>(nameof(ProvisionEntryRow.SubjectId)), n.Column<ProvisionEntryRow>(nameof(ProvisionEntryRow.Sequence)));
        return $"DELETE FROM {subjects} WHERE ({subject}, {sequence}) IN (SELECT {entrySubject}, {entrySequence} FROM {entries} WHERE {entrySequence} > {{0}} AND {entrySequence} <= {{1}} AND {entrySubject} IS NOT NULL)";
    });

    public async Task<long> ReducedThroughAsync(CancellationToken cancellationToken) =>
        await Db.LogReduction.Where(r => r.Id == 1).Select(r => (long?)r.ReducedThrough).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) ?? 0;

    public async Task<long> LastBeforeAsync(DateTimeOffset time, CancellationToken cancellationToken)
    {
        // Entries are timed as they are appended under the chain lock, so time follows the sequence:
        // a binary search along the primary key reads some twenty entries of ten million.
        var (low, high) = (0L, (await HeadAsync(cancellationToken).ConfigureAwait(false))?.Sequence ?? 0);
        while (low < high)
        {
            var middle = low + ((high - low + 1) / 2);
            var at = await Db.ProvisionEntries.Where(p => p.Sequence == middle).Select(p => p.Time).FirstAsync(cancellationToken).ConfigureAwait(false);
            (low, high) = at < time ? (middle, high) : (low, middle - 1);
        }

        return low;
    }

    public async Task<long> ReduceThroughAsync(long sequence, bool dryRun, CancellationToken cancellationToken)
    {
        var from = await ReducedThroughAsync(cancellationToken).ConfigureAwait(false);
        if (dryRun)
        {
            return sequence <= from ? 0 : await Db.ProvisionEntries.LongCountAsync(p => p.Sequence > from && p.Sequence <= sequence && p.SubjectId != null, cancellationToken).ConfigureAwait(false);
        }

        long reduced = 0;
        while (from < sequence)
        {
            var (after, through) = (from, Math.Min(sequence, from + ReductionBatch));
            reduced += await unitOfWork.RunAsync(
                async ct =>
                {
                    await Db.Database.ExecuteSqlRawAsync(UnindexSql.For(leases.Names), [after, through], ct).ConfigureAwait(false);
                    var count = await Db.ProvisionEntries.Where(p => p.Sequence > after && p.Sequence <= through && p.SubjectId != null)
                        .ExecuteUpdateAsync(u => u.SetProperty(p => p.SubjectId, (string?)null), ct).ConfigureAwait(false);
                    if (await Db.LogReduction.Where(r => r.Id == 1).ExecuteUpdateAsync(u => u.SetProperty(r => r.ReducedThrough, through), ct).ConfigureAwait(false) == 0)
                    {
                        Db.LogReduction.Add(new LogReductionRow { Id = 1, ReducedThrough = through });
                    }

                    return (long)count;
                },
                cancellationToken).ConfigureAwait(false);
            from = through;
        }

        return reduced;
    }

    private static ProvisionEntryRow ToRow(ChainedProvision entry, int termsId) => new()
    {
        Sequence = entry.Sequence,
        Time = entry.Fact.Time,
        SubjectId = entry.Fact.SubjectId,
        CallId = entry.Fact.CallId,
        TermsId = termsId,
        EntryHash = entry.EntryHash,
    };

    private sealed class StoredEntry
    {
        public required ProvisionEntryRow Entry { get; init; }

        public ProvisionTermsRow? Terms { get; init; }

        public string? PreviousHash { get; init; }

        public ChainedProvision ToChained() => new(
            Entry.Sequence,
            ProvisionTerms.FactOf(Entry, Terms),
            Entry.Sequence == 1 ? ProvisionChain.Genesis : PreviousHash ?? "",
            Entry.EntryHash);
    }
}
