using System.Globalization;

namespace Exchange.Domain.Provisions;

/// <summary>
/// The provision log's Merkle tree for partners: signed checkpoints and the proofs anyone can
/// check against them. Every number a caller gives is checked here, with a message saying which.
/// </summary>
public sealed class ProvisionTree(IProvisionTreeStore store, NoteKey key, TimeProvider time, WitnessPolicy witnesses)
{
    // How far ahead of the hub's clock a witness's cosignature time may be.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(10);

    /// <summary>The log's origin: the checkpoints' first line and the key's name.</summary>
    public string Origin => key.Name;

    /// <summary>The verifier key partners check checkpoints with.</summary>
    public string VerifierKey => key.VerifierKey;

    /// <summary>
    /// Signs and stores a checkpoint over every entry now in the log, unless the latest already
    /// covers them; null when the log is empty. Several instances signing one size store one
    /// checkpoint (Ed25519 is deterministic, so theirs are the same text anyway).
    /// </summary>
    public async Task<TreeCheckpoint?> CheckpointAsync(CancellationToken cancellationToken)
    {
        var size = await store.SizeAsync(cancellationToken).ConfigureAwait(false);
        if (size == 0)
        {
            return null;
        }

        if (await store.LatestCheckpointAsync(cancellationToken).ConfigureAwait(false) is { } latest && latest.Size >= size)
        {
            return latest;
        }

        var root = await new TreeHasher(store).RootAsync(size, cancellationToken).ConfigureAwait(false);
        var note = key.Sign(TreeCheckpoint.Body(Origin, size, root));
        return await store.AddCheckpointAsync(new TreeCheckpoint(size, root, time.GetUtcNow(), note), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The latest checkpoint; FAILED_PRECONDITION when none is signed yet.</summary>
    public async Task<TreeCheckpoint> LatestAsync(CancellationToken cancellationToken) =>
        await store.LatestCheckpointAsync(cancellationToken).ConfigureAwait(false)
        ?? throw new ExchangeException(FailureKind.FailedPrecondition, "no tree checkpoint is signed yet: the provision log is empty or its first checkpoint is still to come");

    /// <summary>The checkpoint of the tree of <paramref name="size"/> leaves (0: the latest).</summary>
    public async Task<TreeCheckpoint> CheckpointOfAsync(long size, CancellationToken cancellationToken)
    {
        if (size == 0)
        {
            return await LatestAsync(cancellationToken).ConfigureAwait(false);
        }

        RequirePositive(size, "tree_size");
        return await store.CheckpointAsync(size, cancellationToken).ConfigureAwait(false)
            ?? throw new ExchangeException(FailureKind.NotFound, Invariant($"no checkpoint is signed over tree size {size}; checkpoints are signed over the sizes the log had at each interval"));
    }

    /// <summary>The checkpoint of <paramref name="size"/> (0: the latest) with its witnesses' cosignatures.</summary>
    public async Task<CosignedCheckpoint> CosignedAsync(long size, CancellationToken cancellationToken) =>
        await CosignedAsync(await CheckpointOfAsync(size, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Checks and stores witness <paramref name="party"/>'s cosignature <paramref name="line"/> of the
    /// checkpoint of <paramref name="size"/>: the party must be a configured witness, the line its
    /// key's valid cosignature of that checkpoint. A witness's second cosignature of one size leaves
    /// the first in place. Returns the checkpoint as now cosigned.
    /// </summary>
    public async Task<CosignedCheckpoint> AddCosignatureAsync(string party, long size, string line, CancellationToken cancellationToken)
    {
        var witness = witnesses.Find(party)
            ?? throw new ExchangeException(FailureKind.PermissionDenied, $"party '{party}' is not one of the provision log's witnesses (Exchange:TreeLog:Witnesses)");
        RequirePositive(size, "tree_size");
        var checkpoint = await CheckpointOfAsync(size, cancellationToken).ConfigureAwait(false);
        var signedAt = NoteKey.CheckCosignature(witness.VerifierKey, checkpoint.SignedBody, line.TrimEnd('\n'), out var problem)
            ?? throw new ExchangeException(FailureKind.InvalidArgument, Invariant($"cosignature of tree size {size} refused: {problem}"));
        if (signedAt > time.GetUtcNow() + ClockSkew)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, Invariant($"cosignature of tree size {size} refused: its time {signedAt:u} is ahead of the hub's clock"));
        }

        await store.AddCosignatureAsync(new TreeCosignature(size, party, signedAt, line.TrimEnd('\n')), cancellationToken).ConfigureAwait(false);
        return await CosignedAsync(checkpoint, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Proves each of <paramref name="sequences"/> in one checkpoint's tree, <paramref name="treeSize"/>
    /// (0: the latest), returned with it and its cosignatures: a person's report carries these.
    /// </summary>
    public async Task<(CosignedCheckpoint Checkpoint, IReadOnlyList<InclusionProof> Proofs)> ProveInclusionsAsync(IReadOnlyCollection<long> sequences, long treeSize, CancellationToken cancellationToken)
    {
        var checkpoint = await CosignedAsync(treeSize, cancellationToken).ConfigureAwait(false);
        var hasher = new TreeHasher(store);
        var proofs = new List<InclusionProof>(sequences.Count);
        foreach (var sequence in sequences)
        {
            proofs.Add(await ProveAsync(hasher, sequence, checkpoint.Checkpoint.Size, cancellationToken).ConfigureAwait(false));
        }

        return (checkpoint, proofs);
    }

    /// <summary>Proves entry <paramref name="sequence"/> in the tree of <paramref name="treeSize"/> leaves (0: the latest checkpoint's).</summary>
    public async Task<InclusionProof> ProveInclusionAsync(long sequence, long treeSize, CancellationToken cancellationToken)
    {
        RequirePositive(sequence, "sequence");
        treeSize = await TreeSizeAsync(treeSize, "tree_size", cancellationToken).ConfigureAwait(false);
        return await ProveAsync(new TreeHasher(store), sequence, treeSize, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Proves the tree of <paramref name="firstSize"/> leaves a prefix of that of <paramref name="secondSize"/> (0: the latest checkpoint's).</summary>
    public async Task<ConsistencyProof> ProveConsistencyAsync(long firstSize, long secondSize, CancellationToken cancellationToken)
    {
        RequirePositive(firstSize, "first_size");
        secondSize = await TreeSizeAsync(secondSize, "second_size", cancellationToken).ConfigureAwait(false);
        if (firstSize > secondSize)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, Invariant($"first_size {firstSize} is larger than second_size {secondSize}: a consistency proof goes from a smaller tree to a larger one"));
        }

        var hashes = await new TreeHasher(store).HashesAsync(MerkleTree.ConsistencyPath(firstSize, secondSize), cancellationToken).ConfigureAwait(false);
        return new ConsistencyProof(firstSize, secondSize, hashes);
    }

    /// <summary>The root hash of the tree of <paramref name="size"/> leaves, which must not exceed the log.</summary>
    public async Task<byte[]> RootAsync(long size, CancellationToken cancellationToken)
    {
        size = await TreeSizeAsync(size, "tree_size", cancellationToken).ConfigureAwait(false);
        return await new TreeHasher(store).RootAsync(size, cancellationToken).ConfigureAwait(false);
    }

    private async Task<InclusionProof> ProveAsync(TreeHasher hasher, long sequence, long treeSize, CancellationToken cancellationToken)
    {
        RequirePositive(sequence, "sequence");
        if (sequence > treeSize)
        {
            throw new ExchangeException(FailureKind.OutOfRange, Invariant($"sequence {sequence} is not in the tree of size {treeSize}: a tree of size n holds entries 1 … n"));
        }

        var hashes = await hasher.HashesAsync([.. MerkleTree.InclusionPath(sequence - 1, treeSize), new TreeRange(sequence - 1, sequence)], cancellationToken).ConfigureAwait(false);
        var entry = (await store.EntryHashesAsync(new TreeRange(sequence - 1, sequence), cancellationToken).ConfigureAwait(false)).Single();
        return new InclusionProof(sequence, treeSize, Convert.ToHexStringLower(entry), hashes[^1], hashes.Take(hashes.Count - 1).ToList());
    }

    // Only cosignatures of witnesses configured now, that verify with their keys now, count.
    private async Task<CosignedCheckpoint> CosignedAsync(TreeCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        var valid = new List<TreeCosignature>();
        if (witnesses.Witnesses.Count > 0)
        {
            foreach (var cosignature in await store.CosignaturesAsync(checkpoint.Size, cancellationToken).ConfigureAwait(false))
            {
                if (witnesses.Find(cosignature.Witness) is { } witness && NoteKey.CheckCosignature(witness.VerifierKey, checkpoint.SignedBody, cosignature.Line, out _) is not null)
                {
                    valid.Add(cosignature);
                }
            }
        }

        return new CosignedCheckpoint(checkpoint, valid, witnesses);
    }

    private async Task<long> TreeSizeAsync(long size, string name, CancellationToken cancellationToken)
    {
        if (size == 0)
        {
            return (await LatestAsync(cancellationToken).ConfigureAwait(false)).Size;
        }

        RequirePositive(size, name);
        var entries = await store.SizeAsync(cancellationToken).ConfigureAwait(false);
        if (size > entries)
        {
            throw new ExchangeException(FailureKind.OutOfRange, Invariant($"{name} {size} is larger than the log ({entries} entries)"));
        }

        return size;
    }

    private static void RequirePositive(long value, string name)
    {
        if (value < 0)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, Invariant($"{name} must be positive (it is {value})"));
        }

        if (value == 0)
        {
            throw new ExchangeException(FailureKind.InvalidArgument, $"{name} must be set: entries and tree sizes count from 1");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
