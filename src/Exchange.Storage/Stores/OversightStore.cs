using System.Runtime.CompilerServices;
using Exchange.Contracts.V1;
using Exchange.Domain.Oversight;
using Exchange.Domain.Provisions;
using Exchange.Storage.Entities;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace Exchange.Storage.Stores;

internal sealed class OversightStore(Lazy<ExchangeDbContext> context, IProvisionLogStore log, IUnitOfWork unitOfWork) : IOversightStore
{
    // Records per transaction of a disposal: each holds the write gate briefly, so calls go on meanwhile.
    private const int DisposalBatch = 5_000;

    // Values per IN list: well inside SQLite's bound parameters.
    private const int Chunk = 500;

    private ExchangeDbContext Db => context.Value;

    public Task AddExceptionalAsync(ExceptionalProvision provision, CancellationToken cancellationToken)
    {
        Db.ExceptionalProvisions.Add(new ExceptionalProvisionRow { Id = provision.Id, RecordedAt = provision.RecordedAt.ToDateTimeOffset(), Data = provision.ToByteArray() });
        Db.ExceptionalProvisionEntries.AddRange(provision.Sequences.Select(s => new ExceptionalProvisionEntryRow { Sequence = s, ProvisionId = provision.Id }));
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<ExceptionalProvision>> ListExceptionalAsync(int limit, ExceptionalPosition? before, CancellationToken cancellationToken)
    {
        var query = Db.ExceptionalProvisions.AsNoTracking();
        if (before is not null)
        {
            query = query.Where(x => x.RecordedAt < before.RecordedAt || (x.RecordedAt == before.RecordedAt && x.Id.CompareTo(before.Id) < 0));
        }

        var rows = await query.OrderByDescending(x => x.RecordedAt).ThenByDescending(x => x.Id).Take(limit).Select(x => x.Data).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(ExceptionalProvision.Parser.ParseFrom).ToList();
    }

    public async Task<IReadOnlyDictionary<long, ExceptionalProvision>> ExceptionalAtAsync(IReadOnlyCollection<long> sequences, CancellationToken cancellationToken)
    {
        var found = new Dictionary<long, ExceptionalProvision>();
        var parsed = new Dictionary<string, ExceptionalProvision>(StringComparer.Ordinal);
        foreach (var chunk in sequences.Chunk(Chunk))
        {
            var rows = await (from e in Db.ExceptionalProvisionEntries
                              where chunk.Contains(e.Sequence)
                              join x in Db.ExceptionalProvisions on e.ProvisionId equals x.Id
                              select new { e.Sequence, x.Id, x.Data }).AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var row in rows)
            {
                if (!parsed.TryGetValue(row.Id, out var provision))
                {
                    parsed[row.Id] = provision = ExceptionalProvision.Parser.ParseFrom(row.Data);
                }

                found[row.Sequence] = provision;
            }
        }

        return found;
    }

    public async IAsyncEnumerable<ReceivedData> ReceivedByAsync(string party, DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int[] outcomes = [(int)ProvisionOutcome.Provided, (int)ProvisionOutcome.DisclosedToSubject];
        var terms = await Db.ProvisionTerms.AsNoTracking()
            .Where(t => (t.Recipient == party || t.Agent == party) && outcomes.Contains(t.Outcome))
            .Select(t => new { t.Id, t.Items })
            .ToDictionaryAsync(t => t.Id, t => (IReadOnlyList<string>)t.Items.Split(' ', StringSplitOptions.RemoveEmptyEntries), cancellationToken).ConfigureAwait(false);
        if (terms.Count == 0)
        {
            yield break;
        }

        // The window as a range of the primary key (time follows the sequence), then exactly by time.
        var after = await log.LastBeforeAsync(from, cancellationToken).ConfigureAwait(false);
        var through = await log.LastBeforeAsync(to, cancellationToken).ConfigureAwait(false);
        var ids = terms.Keys.ToArray();
        var entries = Db.ProvisionEntries.AsNoTracking()
            .Where(p => p.Sequence > after && p.Sequence <= through && p.SubjectId != null && ids.Contains(p.TermsId) && p.Time >= from && p.Time < to)
            .OrderBy(p => p.Sequence)
            .Select(p => new { p.Sequence, p.Time, p.SubjectId, p.TermsId });
        await foreach (var entry in entries.AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return new ReceivedData(entry.Sequence, entry.Time, entry.SubjectId!, terms[entry.TermsId]);
        }
    }

    public async Task<IReadOnlyDictionary<string, CustomerKey>> RecordsOfAsync(IReadOnlyCollection<string> subjectIds, CancellationToken cancellationToken)
    {
        var wanted = subjectIds as IReadOnlySet<string> ?? subjectIds.ToHashSet(StringComparer.Ordinal);
        var found = new Dictionary<string, CustomerKey>(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return found;
        }

        // No index leads from a subject ID to its record (it is derived from the record's key), so
        // the customers are read once, whatever the number of persons asked for.
        var all = Db.Customers.AsNoTracking().Select(c => new { c.SubjectId, c.OwnerParty, c.CustomerRef });
        await foreach (var customer in all.AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (wanted.Contains(customer.SubjectId))
            {
                found[customer.SubjectId] = new CustomerKey { OwnerParty = customer.OwnerParty, CustomerRef = customer.CustomerRef };
            }
        }

        return found;
    }

    public Task<long> DisposeCustomersAsync(DateTimeOffset changedBefore, bool dryRun, CancellationToken cancellationToken) =>
        DisposeAsync(c => c.UpdatedAt < changedBefore, dryRun, cancellationToken);

    public Task<long> DisposeCustomersOfAsync(string ownerParty, bool dryRun, CancellationToken cancellationToken) =>
        DisposeAsync(c => c.OwnerParty == ownerParty, dryRun, cancellationToken);

    public Task AddRunAsync(RetentionRun run, CancellationToken cancellationToken)
    {
        Db.RetentionRuns.Add(new RetentionRunRow { Id = run.Id, StartedAt = run.StartedAt.ToDateTimeOffset(), Data = run.ToByteArray() });
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<RetentionRun>> ListRunsAsync(int limit, CancellationToken cancellationToken) =>
        (await Db.RetentionRuns.AsNoTracking().OrderByDescending(r => r.Sequence).Take(limit).Select(r => r.Data).ToListAsync(cancellationToken).ConfigureAwait(false))
            .Select(RetentionRun.Parser.ParseFrom).ToList();

    // Along the primary key, a batch per transaction: one pass over the table, however many go.
    private async Task<long> DisposeAsync(System.Linq.Expressions.Expression<Func<CustomerRow, bool>> expired, bool dryRun, CancellationToken cancellationToken)
    {
        if (dryRun)
        {
            return await Db.Customers.Where(expired).LongCountAsync(cancellationToken).ConfigureAwait(false);
        }

        long disposed = 0;
        var after = 0L;
        while (true)
        {
            var from = after;
            var ids = await Db.Customers.Where(expired).Where(c => c.Id > from).OrderBy(c => c.Id).Take(DisposalBatch).Select(c => c.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
            if (ids.Count == 0)
            {
                return disposed;
            }

            var (first, last) = (ids[0], ids[^1]);
            disposed += await unitOfWork.RunAsync(
                async ct => (long)await Db.Customers.Where(expired).Where(c => c.Id >= first && c.Id <= last).ExecuteDeleteAsync(ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            after = last;
        }
    }
}
