using System.Runtime.CompilerServices;
using Exchange.Contracts.V1;
using Exchange.Domain.Provisions;
using Exchange.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Exchange.Storage.Stores;

internal sealed class ProvisionLogStore(ExchangeDbContext db) : IProvisionLogStore
{
    public async Task<IReadOnlyList<ChainedProvision>> AppendAsync(IReadOnlyList<ProvisionFact> facts, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Provision-log entries are appended inside a unit of work only.");
        }

        var head = await HeadRowAsync(cancellationToken).ConfigureAwait(false);
        var linked = ProvisionChain.Link(head?.Sequence ?? 0, head?.EntryHash ?? ProvisionChain.Genesis, facts);
        using var insert = RowInserter<ProvisionEntryRow>.Create(db);
        foreach (var entry in linked)
        {
            await insert.InsertAsync(ToRow(entry), cancellationToken).ConfigureAwait(false);
        }

        return linked;
    }

    public async IAsyncEnumerable<ChainedProvision> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in db.ProvisionEntries.AsNoTracking().OrderBy(p => p.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return FromRow(row);
        }
    }

    public async Task<IReadOnlyList<ChainedProvision>> ListForSubjectAsync(string subjectId, CancellationToken cancellationToken) =>
        (await db.ProvisionEntries.AsNoTracking().Where(p => p.SubjectId == subjectId).OrderBy(p => p.Sequence).ToListAsync(cancellationToken).ConfigureAwait(false))
        .Select(FromRow).ToList();

    public async Task<ChainedProvision?> HeadAsync(CancellationToken cancellationToken) =>
        await HeadRowAsync(cancellationToken).ConfigureAwait(false) is { } row ? FromRow(row) : null;

    public async Task<IReadOnlyList<ProvisionCheckpoint>> ListCheckpointsAsync(CancellationToken cancellationToken) =>
        (await db.Checkpoints.AsNoTracking().OrderBy(c => c.Sequence).ToListAsync(cancellationToken).ConfigureAwait(false))
        .Select(c => new ProvisionCheckpoint(c.Sequence, c.EntryHash, c.SignedAt, c.Signature)).ToList();

    public async Task AddCheckpointAsync(ProvisionCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        db.Checkpoints.Add(new CheckpointRow { Sequence = checkpoint.Sequence, EntryHash = checkpoint.EntryHash, SignedAt = checkpoint.SignedAt, Signature = checkpoint.Signature });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static ChainedProvision FromRow(ProvisionEntryRow row) => new(
        row.Sequence,
        new ProvisionFact(
            row.Time,
            row.Provider,
            row.Recipient,
            row.Agent,
            row.SubjectId,
            row.Items.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            row.Purpose,
            row.DeclarationVersion,
            row.DeclarationHash,
            row.CallId,
            (ProvisionOutcome)row.Outcome,
            row.Rule),
        row.PreviousHash,
        row.EntryHash);

    internal static ProvisionEntryRow ToRow(ChainedProvision entry) => new()
    {
        Sequence = entry.Sequence,
        Time = entry.Fact.Time,
        Provider = entry.Fact.Provider,
        Recipient = entry.Fact.Recipient,
        Agent = entry.Fact.Agent,
        SubjectId = entry.Fact.SubjectId,
        Items = string.Join(' ', entry.Fact.Items),
        Purpose = entry.Fact.Purpose,
        DeclarationVersion = entry.Fact.DeclarationVersion,
        DeclarationHash = entry.Fact.DeclarationHash,
        CallId = entry.Fact.CallId,
        Outcome = (int)entry.Fact.Outcome,
        Rule = entry.Fact.Rule,
        PreviousHash = entry.PreviousHash,
        EntryHash = entry.EntryHash,
    };

    private Task<ProvisionEntryRow?> HeadRowAsync(CancellationToken cancellationToken) =>
        db.ProvisionEntries.AsNoTracking().OrderByDescending(p => p.Sequence).FirstOrDefaultAsync(cancellationToken);
}
