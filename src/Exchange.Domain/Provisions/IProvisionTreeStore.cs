namespace Exchange.Domain.Provisions;

/// <summary>The provision log's Merkle tree and its checkpoints, as stored.</summary>
public interface IProvisionTreeStore : ITreeSource
{
    /// <summary>The entries in the log: the largest tree there is.</summary>
    Task<long> SizeAsync(CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="checkpoint"/> unless one of its size is stored already (another instance's); returns the one stored.</summary>
    Task<TreeCheckpoint> AddCheckpointAsync(TreeCheckpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>The checkpoint of the largest tree, or null when none is signed yet.</summary>
    Task<TreeCheckpoint?> LatestCheckpointAsync(CancellationToken cancellationToken);

    /// <summary>The checkpoint of the tree of <paramref name="size"/> leaves, or null.</summary>
    Task<TreeCheckpoint?> CheckpointAsync(long size, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="cosignature"/> unless its witness has one of that size stored already; returns the one stored.</summary>
    Task<TreeCosignature> AddCosignatureAsync(TreeCosignature cosignature, CancellationToken cancellationToken);

    /// <summary>The cosignatures of the checkpoint of <paramref name="size"/>, in witness order.</summary>
    Task<IReadOnlyList<TreeCosignature>> CosignaturesAsync(long size, CancellationToken cancellationToken);
}
