using Exchange.Domain.Provisions;
using Exchange.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Exchange.Storage.Stores;

/// <summary>The provision log's Merkle tree for proofs and checkpoints: the tree's inputs on a leased connection, checkpoints through EF.</summary>
internal sealed class ProvisionTreeStore(Lazy<ExchangeDbContext> context, ConnectionLeases leases) : IProvisionTreeStore
{
    private ExchangeDbContext Db => context.Value;

    public Task<IReadOnlyList<byte[]>> EntryHashesAsync(TreeRange range, CancellationToken cancellationToken) =>
        leases.RunAsync(lease => new TreeRows(lease.Connection, null, lease.Names).EntryHashesAsync(range, cancellationToken), cancellationToken);

    public Task<IReadOnlyDictionary<TreeNode, byte[]>> StoredNodesAsync(IReadOnlyCollection<TreeNode> nodes, CancellationToken cancellationToken) =>
        leases.RunAsync(lease => new TreeRows(lease.Connection, null, lease.Names).StoredNodesAsync(nodes, cancellationToken), cancellationToken);

    public async Task<long> SizeAsync(CancellationToken cancellationToken) =>
        await Db.ProvisionEntries.MaxAsync(p => (long?)p.Sequence, cancellationToken).ConfigureAwait(false) ?? 0;

    public async Task<TreeCheckpoint> AddCheckpointAsync(TreeCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        // ON CONFLICT DO NOTHING rather than a failed insert: another instance signing the same size is normal.
        var transaction = await Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            using var insert = RowInserter<TreeCheckpointRow>.Create(Db, unlessExists: [nameof(TreeCheckpointRow.Size)]);
            await insert.InsertAsync(new TreeCheckpointRow { Size = checkpoint.Size, RootHash = checkpoint.RootHash, SignedAt = checkpoint.SignedAt, Note = checkpoint.Note }, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return await CheckpointAsync(checkpoint.Size, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("A tree checkpoint was stored and is not there.");
    }

    public async Task<TreeCosignature> AddCosignatureAsync(TreeCosignature cosignature, CancellationToken cancellationToken)
    {
        // A witness's second cosignature of one size, or one from another instance at once, yields to the first.
        var transaction = await Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            using var insert = RowInserter<TreeCosignatureRow>.Create(Db, unlessExists: [nameof(TreeCosignatureRow.Size), nameof(TreeCosignatureRow.Witness)]);
            await insert.InsertAsync(new TreeCosignatureRow { Size = cosignature.Size, Witness = cosignature.Witness, Time = cosignature.Time, Line = cosignature.Line }, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return (await CosignaturesAsync(cosignature.Size, cancellationToken).ConfigureAwait(false)).Single(c => c.Witness == cosignature.Witness);
    }

    public async Task<IReadOnlyList<TreeCosignature>> CosignaturesAsync(long size, CancellationToken cancellationToken) =>
        (await Db.TreeCosignatures.AsNoTracking().Where(c => c.Size == size).OrderBy(c => c.Witness).ToListAsync(cancellationToken).ConfigureAwait(false))
            .Select(c => new TreeCosignature(c.Size, c.Witness, c.Time, c.Line)).ToList();

    public async Task<TreeCheckpoint?> LatestCheckpointAsync(CancellationToken cancellationToken) =>
        ToCheckpoint(await Db.TreeCheckpoints.AsNoTracking().OrderByDescending(c => c.Size).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false));

    public async Task<TreeCheckpoint?> CheckpointAsync(long size, CancellationToken cancellationToken) =>
        ToCheckpoint(await Db.TreeCheckpoints.AsNoTracking().FirstOrDefaultAsync(c => c.Size == size, cancellationToken).ConfigureAwait(false));

    private static TreeCheckpoint? ToCheckpoint(TreeCheckpointRow? row) =>
        row is null ? null : new TreeCheckpoint(row.Size, row.RootHash, row.SignedAt, row.Note);
}
